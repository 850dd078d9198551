"""API plumbing shared by every app: pagination and one error body shape (documented by
atensi.api_schema)."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from atensi.errors import ApplicationError


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request):
        """`page_size` must be a whole number from 1 to the maximum; anything else is a 400."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            raise exceptions.ValidationError(
                {
                    self.page_size_query_param: [
                        _("page_size must be a whole number from 1 to %(max)d.")
                        % {"max": self.max_page_size}
                    ]
                }
            )
        return int(raw)

    def get_page_number(self, request, paginator):
        """An empty or repeated `page` is an invalid page (404), not the first."""
        raw = request.query_params.get(self.page_query_param)
        if raw is None:
            return 1
        if raw in self.last_page_strings:
            return paginator.num_pages
        return raw

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["description"] = (
                    f"Number of results per page, {self.page_size} by default; "
                    f"a whole number from 1 to {self.max_page_size}, anything else is a 400."
                )
                parameter["schema"] = {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": self.max_page_size,
                }
            if parameter["name"] == self.page_query_param:
                parameter["description"] = "A page number from 1; one past the last is a 404."
                parameter["schema"] = {"type": "integer", "minimum": 1}
        return parameters


def exception_handler(exc, context):
    """Every error body is {"error": {"code", "message", "fields"}}."""
    if isinstance(exc, ApplicationError):
        fields = {exc.field: [str(exc.message)]} if exc.field else {}
        return _body(
            {"conflict": status.HTTP_409_CONFLICT, "unavailable": 503}.get(exc.code, 400),
            exc.code,
            str(exc.message),
            fields,
        )
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        fields = detail if isinstance(detail, dict) else {"non_field_errors": detail}
        return _body(
            response.status_code,
            "invalid",
            _("The input is not valid."),
            fields,
            headers=response.headers,
        )
    code = getattr(exc, "default_code", "error")
    detail = response.data.get("detail", "") if isinstance(response.data, dict) else ""
    return _body(response.status_code, code, str(detail), {}, headers=response.headers)


def _body(status_code, code, message, fields, headers=None):
    response = Response(
        {"error": {"code": code, "message": message, "fields": fields}}, status=status_code
    )
    for name, value in (headers or {}).items():
        if name.lower() in {"www-authenticate", "retry-after", "allow"}:
            response[name] = value
    return response


def page_not_found(request, exception):
    """A URL under /api/ that names no endpoint (an id of the wrong shape) answers in the
    API's error body; any other is the site's page."""
    if request.path.startswith("/api/"):
        detail = str(exceptions.NotFound.default_detail)
        body = {"error": {"code": "not_found", "message": detail, "fields": {}}}
        return JsonResponse(body, status=status.HTTP_404_NOT_FOUND)
    return defaults.page_not_found(request, exception)
