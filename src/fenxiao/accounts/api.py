"""The signed-in user: who they are, log-out, and their own addresses.

Sign-up and log-in take a referral code, so they live above accounts and distribution, in
fenxiao/auth_api.py.
"""

from ninja import Body, Router, Schema, Status

from fenxiao.accounts import services
from fenxiao.accounts.schemas import AddressCreateIn, AddressOut, Id, UserOut

router = Router(tags=["accounts"])


class LogoutIn(Schema):
    everywhere: bool = False  # end every token of this user, not only this one


@router.post("/auth/logout", response={204: None})
def logout(request, payload: Body[LogoutIn] = None):
    if payload and payload.everywhere:
        services.user_sessions_end(user_ids=[request.auth.pk])
    else:
        services.token_revoke(token_id=request.auth_token_id)
    return Status(204, None)


@router.get("/me", response=UserOut)
def me(request):
    return request.auth


@router.get("/addresses", response=list[AddressOut])
def address_list(request):
    return list(request.auth.addresses.all())


@router.post("/addresses", response={201: AddressOut})
def address_create(request, payload: AddressCreateIn):
    return Status(201, services.address_create(user=request.auth, **payload.dict()))


@router.put("/addresses/{address_id}", response=AddressOut)
def address_update(request, address_id: Id, payload: AddressCreateIn):
    """Replace an address (same body as POST); is_default true makes it the default."""
    return services.address_update(user=request.auth, address_id=address_id, **payload.dict())


@router.delete("/addresses/{address_id}", response={204: None})
def address_delete(request, address_id: Id):
    """Delete an address; a deleted default passes to the newest remaining address."""
    services.address_delete(user=request.auth, address_id=address_id)
    return Status(204, None)


@router.post("/addresses/{address_id}/default", response=AddressOut)
def address_set_default(request, address_id: Id):
    return services.address_set_default(user=request.auth, address_id=address_id)
