"""Demo maintenance: history done by demo technicians, a horizon ahead, and reset."""

from django.core.management import call_command

from tierdesk.clients.models import Client
from tierdesk.maintenance.models import WorkOrder, WorkOrderStatus


def _demo(*extra):
    call_command("tierdesk_demo", "--clients", "6", "--seed", "7", "--staff", *extra)


def test_demo_clients_get_done_past_work_and_open_future_work(db):
    _demo()
    past = WorkOrder.objects.filter(due_on__lt=WorkOrder.objects.order_by("-due_on")[0].due_on)
    done = WorkOrder.objects.filter(status=WorkOrderStatus.DONE)
    assert done.exists() and WorkOrder.objects.filter(status=WorkOrderStatus.SCHEDULED).exists()
    assert past.exists()
    order = done.first()
    assert order.completed_by is not None
    assert all(item["done"] for item in order.checklist)


def test_reset_deletes_demo_work_orders_with_the_clients(db):
    _demo()
    assert WorkOrder.objects.exists()
    _demo("--reset")
    names = set(Client.objects.values_list("pk", flat=True))
    assert set(WorkOrder.objects.values_list("client_id", flat=True)) <= names
    assert WorkOrder.objects.exists()  # regenerated for the new demo clients
