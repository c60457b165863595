"""`fenxiao createstaff`, run as a real command against a fresh SQLite database."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

FENXIAO = str(Path(sys.executable).with_name("fenxiao"))

WHO_IS = """
import json
from fenxiao.accounts.models import User
u = User.objects.get(phone="{phone}")
print(json.dumps({{
    "is_staff": u.is_staff,
    "is_superuser": u.is_superuser,
    "groups": sorted(u.groups.values_list("name", flat=True)),
    "password_ok": u.check_password("{password}"),
    "can_add_product": u.has_perm("catalog.add_product"),
    "can_view_order": u.has_perm("orders.view_order"),
}}))
"""


@pytest.fixture(scope="module")
def fresh_site(tmp_path_factory):
    """Environment for a `fenxiao` process with its own migrated SQLite database."""
    data = tmp_path_factory.mktemp("site")
    env = {
        **os.environ,
        "FENXIAO_DATABASE_URL": f"sqlite:///{data / 'site.sqlite3'}",
        "FENXIAO_DATA_DIR": str(data),
        "FENXIAO_MEDIA_ROOT": str(data / "media"),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    migrate = fenxiao(env, "manage", "migrate", "--no-input", "-v", "0")
    assert migrate.returncode == 0, migrate.stderr
    return env


def fenxiao(env, *args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [FENXIAO, *args], env=env, capture_output=True, text=True, timeout=120, cwd="/"
    )


def who_is(env, phone, password) -> dict:
    r = fenxiao(env, "manage", "shell", "-c", WHO_IS.format(phone=phone, password=password))
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout.strip().splitlines()[-1])


def test_createstaff_makes_a_staff_member_with_the_role(fresh_site):
    r = fenxiao(
        fresh_site, "createstaff", "--phone", "13800000011", "--password", "op-pass-123",
        "--role", "operator",
    )  # fmt: skip

    assert r.returncode == 0, r.stderr
    assert "13800000011" in r.stdout
    assert who_is(fresh_site, "13800000011", "op-pass-123") == {
        "is_staff": True,
        "is_superuser": False,
        "groups": ["operator"],
        "password_ok": True,
        "can_add_product": True,
        "can_view_order": True,
    }


def test_createstaff_again_changes_the_role_and_password(fresh_site):
    phone = "13800000012"
    first = fenxiao(fresh_site, "createstaff", "--phone", phone, "--password", "own-pass-123")
    assert first.returncode == 0, first.stderr

    again = fenxiao(
        fresh_site, "createstaff", "--phone", phone, "--password", "svc-pass-456",
        "--role", "service",
    )  # fmt: skip

    assert again.returncode == 0, again.stderr
    member = who_is(fresh_site, phone, "svc-pass-456")
    assert member["groups"] == ["service"]
    assert member["password_ok"] is True
    assert member["is_superuser"] is False
    assert member["can_add_product"] is False


def test_createstaff_defaults_to_the_owner_role(fresh_site):
    r = fenxiao(fresh_site, "createstaff", "--phone", "13800000013", "--password", "own-pass-123")

    assert r.returncode == 0, r.stderr
    owner = who_is(fresh_site, "13800000013", "own-pass-123")
    assert owner["groups"] == ["owner"]
    assert owner["is_superuser"] is True


def test_createstaff_with_an_unknown_role_fails_and_creates_nobody(fresh_site):
    r = fenxiao(
        fresh_site, "createstaff", "--phone", "13800000014", "--password", "own-pass-123",
        "--role", "boss",
    )  # fmt: skip

    assert r.returncode != 0
    assert "boss" in r.stderr
    missing = fenxiao(
        fresh_site,
        "manage",
        "shell",
        "-c",
        "from fenxiao.accounts.models import User; "
        "print(User.objects.filter(phone='13800000014').count())",
    )
    assert missing.stdout.strip().splitlines()[-1] == "0"


def test_createstaff_with_a_weak_password_fails_with_a_message(fresh_site):
    r = fenxiao(fresh_site, "createstaff", "--phone", "13800000015", "--password", "123")

    assert r.returncode != 0
    assert "密码" in r.stderr
