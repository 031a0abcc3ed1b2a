"""manage.py tierdesk_setup: defaults loaded, owner created once, password shown once."""

import re
from io import StringIO

from django.core.management import call_command

from tierdesk.catalog.models import MaintenanceTask
from tierdesk.core.models import Role, User
from tierdesk.plans.models import Plan

PASSWORD_LINE = re.compile(r"password: (\S+)")


def _setup(*args) -> str:
    out = StringIO()
    call_command("tierdesk_setup", *args, stdout=out)
    return out.getvalue()


def test_first_run_loads_defaults_and_prints_the_owner_password_once(db):
    output = _setup("--owner-username", "boss", "--owner-email", "boss@msp.example")
    passwords = PASSWORD_LINE.findall(output)
    assert len(passwords) == 1
    owner = User.objects.get(username="boss")
    assert owner.role == Role.OWNER and owner.email == "boss@msp.example"
    assert owner.must_change_password
    assert owner.check_password(passwords[0])
    assert list(Plan.objects.values_list("slug", flat=True)) == ["silver", "gold", "platinum"]
    assert MaintenanceTask.objects.count() >= 30


def test_a_rerun_says_the_owner_exists_and_never_prints_or_resets_a_password(db):
    first = _setup()
    password = PASSWORD_LINE.findall(first)[0]
    tasks = MaintenanceTask.objects.count()

    second = _setup()

    assert "Owner exists" in second
    assert not PASSWORD_LINE.search(second)
    assert User.objects.filter(role=Role.OWNER).count() == 1
    assert User.objects.get(username="owner").check_password(password)
    assert MaintenanceTask.objects.count() == tasks
    assert "0 tiers" in second


def test_an_existing_owner_of_another_name_is_kept(personas):
    output = _setup("--owner-username", "someone-else")
    assert "Owner exists (owner)" in output
    assert not User.objects.filter(username="someone-else").exists()
