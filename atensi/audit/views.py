from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from atensi.accounts import policy
from atensi.forms import DateInput, StyledFormMixin

from .models import AuditEvent
from .selectors import audit_list


class AuditFilterForm(StyledFormMixin, forms.Form):
    action = forms.ChoiceField(
        label=_("Action"), choices=[("", _("All")), *AuditEvent.Action.choices], required=False
    )
    username = forms.CharField(label=_("Username"), required=False)
    object_id = forms.CharField(label=_("Record"), required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput())


@login_required
def audit_browse(request):
    if not policy.can_read_audit(request.user):
        raise Http404
    form = AuditFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        # Show what is wrong with the filter rather than silently showing everything.
        return render(request, "audit/list.html", {"form": form, "page": None})
    filters = form.cleaned_data if form.is_bound else {}
    page = Paginator(audit_list(user=request.user, **filters), 50).get_page(request.GET.get("page"))
    return render(request, "audit/list.html", {"form": form, "page": page})
