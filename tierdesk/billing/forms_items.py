"""The staff form of a billable item. Prices are checked by billing/items.py, which names
the field; the form only parses."""

from django import forms

from tierdesk.billing.models import ItemKind

DATE = forms.DateInput(attrs={"type": "date"})


class BillableItemForm(forms.Form):
    kind = forms.ChoiceField(choices=ItemKind.choices)
    description = forms.CharField(max_length=250)
    quantity = forms.DecimalField(max_digits=10, decimal_places=2)
    unit_cost = forms.DecimalField(max_digits=12, decimal_places=2, required=False,
                                   help_text="What it costs you; marked up when no unit "
                                             "price is given.")
    markup_percent = forms.DecimalField(max_digits=6, decimal_places=2, required=False,
                                        help_text="Empty: the tier's hardware markup for "
                                                  "hardware and software, else none.")
    unit_price = forms.DecimalField(max_digits=12, decimal_places=2, required=False,
                                    help_text="A direct price, instead of cost + markup.")
    is_time_and_materials = forms.BooleanField(
        required=False, label="Time and materials (projects: the sessions are billed; "
                              "the price is the estimate)")
    starts_on = forms.DateField(required=False, widget=DATE,
                                help_text="Default today; recurring add-ons bill from here.")
    ends_on = forms.DateField(required=False, widget=DATE,
                              help_text="Recurring add-ons: last day billed.")

    @classmethod
    def for_item(cls, item, data=None):
        initial = {name: getattr(item, name) for name in cls.base_fields}
        return cls(data, initial=initial)
