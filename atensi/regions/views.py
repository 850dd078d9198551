from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .models import Region
from .selectors import region_label, region_search

MIN_QUERY = 2
MAX_OPTIONS = 20


@login_required
@require_GET
def village_options(request):
    """`<option>`s of the villages inside the user's area matching `?q=` (for the picker)."""
    q = " ".join(request.GET.get("q", "").split())[:100]
    options, more = [], False
    if len(q) >= MIN_QUERY:
        found = list(
            region_search(user=request.user, q=q, level=Region.Level.VILLAGE, limit=MAX_OPTIONS + 1)
        )
        more = len(found) > MAX_OPTIONS
        options = [(region.code, region_label(region)) for region in found[:MAX_OPTIONS]]
    return render(
        request,
        "regions/_village_options.html",
        {"options": options, "more": more, "q": q, "too_short": len(q) < MIN_QUERY},
    )
