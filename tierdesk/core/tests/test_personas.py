from tierdesk.core.models import STAFF_ROLES


def test_personas_have_the_roles_they_are_named_after(personas):
    assert personas.owner.role == "owner"
    assert {personas.owner.role, personas.dispatcher.role, personas.technician.role,
            personas.billing.role} == set(STAFF_ROLES)
    assert personas.contact.contact.client != personas.outsider.contact.client
