"""The signed-in user: who they are, log-out, and their own addresses.

Sign-up and log-in take a referral code, so they live above accounts and distribution, in
fenxiao/auth_api.py.
"""

from ninja import Body, Router, Schema, Status

from fenxiao.accounts import services, wechat
from fenxiao.accounts.errors import InvalidPhone, PhoneTaken
from fenxiao.accounts.schemas import AddressCreateIn, AddressOut, Id, UserOut, WechatPhoneIn
from fenxiao.api_docs import raises
from fenxiao.errors import NotFound

router = Router(tags=["accounts"])


class LogoutIn(Schema):
    everywhere: bool = False  # end every token of this user, not only this one


@router.post("/auth/logout", response={204: None}, summary="退出登录")
def logout(request, payload: Body[LogoutIn] = None):
    if payload and payload.everywhere:
        services.user_sessions_end(user_ids=[request.auth.pk])
    else:
        services.token_revoke(token_id=request.auth_token_id)
    return Status(204, None)


@router.post(
    "/auth/wechat/phone",
    response=UserOut,
    summary="绑定微信手机号",
    openapi_extra=raises(InvalidPhone, PhoneTaken),
)
def wechat_phone(request, payload: WechatPhoneIn):
    """Attach the number behind the mini-program's getPhoneNumber code to the signed-in user.
    409 phone_taken when another account has it; 502 wechat_phone_failed when WeChat refuses."""
    # asked of WeChat before the service's transaction: no row lock held over the network
    phone = wechat.phone_client().phone_number(payload.code)
    return services.user_phone_attach(user=request.auth, phone=phone)


@router.get("/me", response=UserOut, summary="当前用户信息")
def me(request):
    return request.auth


@router.get("/addresses", response=list[AddressOut], summary="我的收货地址")
def address_list(request):
    return list(request.auth.addresses.all())


@router.post("/addresses", response={201: AddressOut}, summary="新增收货地址")
def address_create(request, payload: AddressCreateIn):
    return Status(201, services.address_create(user=request.auth, **payload.dict()))


@router.put(
    "/addresses/{address_id}",
    response=AddressOut,
    summary="修改收货地址",
    openapi_extra=raises(NotFound("收货地址不存在", code="address_not_found")),
)
def address_update(request, address_id: Id, payload: AddressCreateIn):
    """Replace an address (same body as POST); is_default true makes it the default."""
    return services.address_update(user=request.auth, address_id=address_id, **payload.dict())


@router.delete(
    "/addresses/{address_id}",
    response={204: None},
    summary="删除收货地址",
    openapi_extra=raises(NotFound("收货地址不存在", code="address_not_found")),
)
def address_delete(request, address_id: Id):
    """Delete an address; a deleted default passes to the newest remaining address."""
    services.address_delete(user=request.auth, address_id=address_id)
    return Status(204, None)


@router.post(
    "/addresses/{address_id}/default",
    response=AddressOut,
    summary="设为默认地址",
    openapi_extra=raises(NotFound("收货地址不存在", code="address_not_found")),
)
def address_set_default(request, address_id: Id):
    return services.address_set_default(user=request.auth, address_id=address_id)
