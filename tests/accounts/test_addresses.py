"""Editing saved addresses: replace, delete (the default moves on), choose the default;
someone else's address is as unknown as a missing one."""

import pytest

from fenxiao.accounts.models import Address
from tests.accounts.factories import UserFactory
from tests.conftest import ADDRESS

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_api(make_api):
    return make_api(UserFactory())


def create(api, **changes) -> dict:
    r = api.post("/addresses", {**ADDRESS, **changes})
    assert r.status_code == 201, r.content
    return r.json()


def stored(user) -> list[tuple[int, str, bool]]:
    rows = Address.objects.filter(user=user).order_by("pk")
    return list(rows.values_list("pk", "detail", "is_default"))


def default_of(user) -> list[int]:
    return list(Address.objects.filter(user=user, is_default=True).values_list("pk", flat=True))


# --- PUT ----------------------------------------------------------------------------------


def test_an_address_is_replaced_by_put(buyer_api, buyer):
    address = create(buyer_api)
    new = {
        "name": "李四",
        "phone": "＋８６１３９１１１１２２２２",  # full-width, as a phone keyboard may send
        "province": "浙江省",
        "city": "杭州市",
        "district": "西湖区",
        "detail": "文三路 8 号",
    }

    r = buyer_api.put(f"/addresses/{address['id']}", new)

    assert r.status_code == 200, r.content
    body = r.json()
    assert {k: body[k] for k in new} == {**new, "phone": "+8613911112222"}
    assert body["id"] == address["id"] and body["is_default"] is True
    row = Address.objects.get(pk=address["id"])
    assert (row.name, row.phone, row.detail) == ("李四", "+8613911112222", "文三路 8 号")


def test_put_with_is_default_makes_it_the_default(buyer_api, buyer):
    first = create(buyer_api)
    second = create(buyer_api, detail="二号楼")

    r = buyer_api.put(f"/addresses/{second['id']}", {**ADDRESS, "is_default": True})

    assert r.json()["is_default"] is True
    assert default_of(buyer) == [second["id"]]
    assert Address.objects.get(pk=first["id"]).is_default is False


def test_put_without_is_default_keeps_the_default_where_it_is(buyer_api, buyer):
    first = create(buyer_api)
    create(buyer_api, detail="二号楼")

    r = buyer_api.put(f"/addresses/{first['id']}", {**ADDRESS, "detail": "一号楼"})

    assert r.status_code == 200 and r.json()["is_default"] is True
    assert default_of(buyer) == [first["id"]]


@pytest.mark.parametrize(
    "change",
    [
        {"name": ""},
        {"phone": "电话"},
        {"phone": "١٣٩٠٠٠٠٠٠٠٠"},  # Arabic-Indic digits
        {"phone": "139" * 6},
        {"province": None},
        {"city": "   "},
        {"detail": "x" * 201},
        {"is_default": "maybe"},
        {"detail": "科技园\x00一号"},
    ],
)
def test_a_bad_put_is_400_and_the_address_is_unchanged(buyer_api, buyer, change):
    address = create(buyer_api)
    before = stored(buyer)

    r = buyer_api.put(f"/addresses/{address['id']}", {**ADDRESS, **change})

    assert r.status_code == 400 and r.json()["code"] == "invalid_input"
    assert r.json()["message"]
    assert stored(buyer) == before
    assert Address.objects.get(pk=address["id"]).name == ADDRESS["name"]


def test_put_needs_every_field(buyer_api, buyer):
    address = create(buyer_api)
    r = buyer_api.put(f"/addresses/{address['id']}", {"name": "李四"})
    assert r.status_code == 400
    assert Address.objects.get(pk=address["id"]).name == ADDRESS["name"]


# --- DELETE -------------------------------------------------------------------------------


def test_deleting_the_default_passes_it_to_the_newest_remaining(buyer_api, buyer):
    first = create(buyer_api)
    second = create(buyer_api, detail="二号楼")
    third = create(buyer_api, detail="三号楼")
    buyer_api.post(f"/addresses/{second['id']}/default")

    r = buyer_api.delete(f"/addresses/{second['id']}")

    assert r.status_code == 204 and r.content == b""
    assert [a for a, _, _ in stored(buyer)] == [first["id"], third["id"]]
    assert default_of(buyer) == [third["id"]]


def test_deleting_another_address_leaves_the_default(buyer_api, buyer):
    first = create(buyer_api)
    second = create(buyer_api, detail="二号楼")

    assert buyer_api.delete(f"/addresses/{second['id']}").status_code == 204
    assert default_of(buyer) == [first["id"]]


def test_deleting_the_last_address_leaves_none(buyer_api, buyer):
    only = create(buyer_api)
    assert buyer_api.delete(f"/addresses/{only['id']}").status_code == 204
    assert stored(buyer) == []
    # the next address is the default again
    assert create(buyer_api)["is_default"] is True


def test_a_deleted_address_is_gone(buyer_api, buyer):
    address = create(buyer_api)
    buyer_api.delete(f"/addresses/{address['id']}")
    r = buyer_api.delete(f"/addresses/{address['id']}")
    assert r.status_code == 404 and r.json()["code"] == "address_not_found"


# --- default ------------------------------------------------------------------------------


def test_choosing_the_default(buyer_api, buyer):
    first = create(buyer_api)
    second = create(buyer_api, detail="二号楼")

    r = buyer_api.post(f"/addresses/{second['id']}/default")

    assert r.status_code == 200 and r.json()["id"] == second["id"]
    assert r.json()["is_default"] is True
    assert default_of(buyer) == [second["id"]]
    listed = buyer_api.get("/addresses").json()
    assert [a["id"] for a in listed][0] == second["id"]  # the default is listed first
    # choosing it again changes nothing
    assert buyer_api.post(f"/addresses/{second['id']}/default").status_code == 200
    assert default_of(buyer) == [second["id"]] and first["id"] != second["id"]


# --- ownership ----------------------------------------------------------------------------


def test_someone_elses_address_is_404_and_untouched(buyer_api, other_api, buyer):
    address = create(buyer_api)
    before = stored(buyer)

    for r in (
        other_api.put(f"/addresses/{address['id']}", {**ADDRESS, "name": "李四"}),
        other_api.delete(f"/addresses/{address['id']}"),
        other_api.post(f"/addresses/{address['id']}/default"),
    ):
        assert r.status_code == 404
        assert r.json() == {"code": "address_not_found", "message": "收货地址不存在"}
    assert stored(buyer) == before


@pytest.mark.parametrize("address_id", ["0", "-1", "abc", str(2**63)])
def test_bad_address_ids_are_4xx(buyer_api, address_id):
    r = buyer_api.delete(f"/addresses/{address_id}")
    assert r.status_code in (400, 404) and r.json()["code"]


def test_editing_addresses_needs_a_token(anon, buyer_api, buyer):
    address = create(buyer_api)
    assert anon.put(f"/addresses/{address['id']}", ADDRESS).status_code == 401
    assert anon.delete(f"/addresses/{address['id']}").status_code == 401
    assert anon.post(f"/addresses/{address['id']}/default").status_code == 401
    assert len(stored(buyer)) == 1
