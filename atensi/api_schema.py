"""The OpenAPI schema's share of the API plumbing: the one error body (atensi.api's
exception_handler) and the statuses every operation documents with it.

Apart from atensi.api because DRF imports that module while it loads its own views."""

import copy

from django.core.exceptions import FieldDoesNotExist
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(
        child=serializers.JSONField(),
        help_text="The input at fault and what is wrong with it: a list of messages, or for "
        "nested input the same shape one level down.",
    )


class ErrorBodySerializer(serializers.Serializer):
    """The one error body of the API (atensi.api.exception_handler)."""

    error = ErrorDetailSerializer()


ERRORS = {
    400: "The input is not valid, or breaks a rule of the action: `fields` says where.",
    401: "No valid token or session.",
    403: "Signed in, but this role may not do this (or a signed-in session sent no CSRF token).",
    404: "Not found, or outside your area: the API does not say which. On a list, a page "
    "past the last.",
    409: "The record's state does not allow this now (already done, changed meanwhile).",
    415: "The body is not in a media type the operation takes.",
    429: "Too many requests: wait for Retry-After seconds.",
}


def errors(*codes: int) -> dict:
    """`extend_schema(responses=...)` entries for these error statuses, in the error body."""
    return {code: OpenApiResponse(ErrorBodySerializer, description=ERRORS[code]) for code in codes}


class AutoSchema(SpectacularAutoSchema):
    """Documents the errors an operation can answer, so that its schema lists every status.

    401 when it needs a signed-in caller; 400 when it takes a body or query parameters,
    and 415 for a body in a media type it does not take;
    404 when its path names a record, or it is a list with pages; and for the writes of the
    signed-in API (session or token), which call a service, 400, 403 and 409: the input
    breaks a rule, the role may not, the record's state does not allow it. An operation's
    own `responses` come first; these fill the gaps. Optional filters may be sent empty.
    """

    WRITES = {"POST", "PUT", "PATCH", "DELETE"}

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        parameters = operation.get("parameters", [])
        places = {parameter["in"] for parameter in parameters}
        names = {parameter["name"] for parameter in parameters}
        schemes = {name for requirement in operation.get("security", []) for name in requirement}
        # The writes of the signed-in API call a service, which may refuse (400, 403, 409).
        service = self.method in self.WRITES and "cookieAuth" in schemes
        codes = set()
        if schemes:
            codes.add(401)
        if service or "query" in places or "requestBody" in operation:
            codes.add(400)
        if "requestBody" in operation:
            codes.add(415)
        if "path" in places or "page" in names:
            codes.add(404)
        if service:
            codes.update({403, 409})
        # An empty filter (?case=) is no filter: DRF reads an empty optional input as absent,
        # and the views do the same. Only the page and its size refuse an empty value.
        for parameter in parameters:
            optional = parameter["in"] == "query" and not parameter.get("required")
            if optional and parameter["name"] not in ("page", "page_size"):
                parameter["allowEmptyValue"] = True
        responses = operation["responses"]
        for code in sorted(codes):
            if str(code) not in responses:
                responses[str(code)] = self._error_response(code)
        return operation

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        # DRF drops allow_blank from a model field listed in read_only_fields, so a choice
        # the model leaves blank ("no outcome yet") would be documented as never empty.
        if isinstance(field, serializers.ChoiceField) and field.read_only and _blank(field):
            field = copy.copy(field)
            field.allow_blank = True
        # A read-only field defaulting to None (`source="proposal.reference"` where there may
        # be no proposal) sends null.
        if field.read_only and field.default is None and not field.allow_null:
            field = copy.copy(field)
            field.allow_null = True
        return super()._map_serializer_field(field, direction, bypass_extensions)

    def _error_response(self, code: int) -> dict:
        component = self.resolve_serializer(ErrorBodySerializer, "response")
        return {
            "content": {"application/json": {"schema": component.ref}},
            "description": ERRORS[code],
        }


def _blank(field) -> bool:
    """Whether a field the ModelSerializer made itself shows a model field that may be left
    blank (a declared field says for itself what it sends: StageOrNullField sends null)."""
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    if model is None or not field.source or "." in field.source:
        return False
    if field.field_name in getattr(field.parent, "_declared_fields", {}):
        return False
    try:
        return model._meta.get_field(field.source).blank
    except FieldDoesNotExist:
        return False
