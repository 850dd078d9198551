"""The API against its own OpenAPI schema, fuzzed by schemathesis as each role of the cast.

Every operation gets a few generated requests (a fixed seed: the same ones every run), each
sent as every role of the demo cast, with the path ids drawn from the demo's records and
random ones. Every check of schemathesis runs on every answer: no 5xx, every status
documented, every body as its schema says, a schema-valid request accepted or refused with
a documented status, a schema-breaking one refused. And the outsider, a caseworker of Ogan
Ilir, never reads back a record that lies in Ogan Komering Ilir.

A schema-valid request may still break a rule a schema cannot say (a NIK whose birth date
is not a date, a case in the wrong stage): that is a 400 or 409 with the error body, and
both are documented on every operation that can answer them.
"""

from __future__ import annotations

import datetime

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from hypothesis import strategies as st
from jsonschema import Draft4Validator, FormatChecker
from knox.models import AuthToken
from schemathesis.specs.openapi.checks import ignored_auth

from tests.conftest import ROLES

from . import world as demo

EXAMPLES = 2

schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
schema.app = WSGIHandler()
schema.config.generation.update(max_examples=EXAMPLES, deterministic=True, no_shrink=True)
schema.config.phases.update(phases=["examples", "fuzzing"])
schema.config.checks.positive_data_acceptance.expected_statuses = [
    "2XX", "400", "401", "403", "404", "409", "429",
]  # fmt: skip

FORMATS = FormatChecker()

# Filled by the `world` fixture: the path ids to draw from, and what the outsider must not see.
WORLD: dict = {}


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    """Each valid path id is a record of the world (of the collection the path names) or the
    generated value, chosen by Hypothesis so the choice is repeatable. An id generated to
    break the schema stays as it is: the request must be refused."""
    if not path_parameters:
        return st.just(path_parameters)
    shapes = {
        parameter["name"]: parameter.get("schema", {})
        for parameter in context.operation.definition.raw.get("parameters", [])
        if parameter.get("in") == "path"
    }
    choices = {}
    for name, value in path_parameters.items():
        known = WORLD.get("ids", {}).get((context.operation.path, name), [])
        valid = Draft4Validator(shapes.get(name, {}), format_checker=FORMATS).is_valid(value)
        choices[name] = st.sampled_from([*known, value]) if known and valid else st.just(value)
    return st.fixed_dictionaries(choices)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The demo and a token per role, made once and rolled back when the module ends.

    Django's test client keeps the test's connection open across requests; called as a WSGI
    app, Django would close it at the end of each request, so that is held off here.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    with django_db_blocker.unblock(), transaction.atomic():
        cast = demo.build_world()
        expiry = datetime.timedelta(hours=1)
        tokens = {
            role: AuthToken.objects.create(user=getattr(cast, role), expiry=expiry)[1]
            for role in ROLES
        }
        WORLD.update(ids=demo.path_ids(schema.raw_schema["paths"]), secrets=demo.outsider_secrets())
        yield tokens
        transaction.set_rollback(True)
    WORLD.clear()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@pytest.mark.django_db
def test_every_role_gets_what_the_schema_says(case, world):
    for role in ROLES:
        # Whether the token is needed at all does not depend on whose it is: checked once.
        skip = [] if role == ROLES[0] else [ignored_auth]
        try:
            response = case.call_and_validate(
                headers={"Authorization": f"Token {world[role]}"}, excluded_checks=skip
            )
        except BaseException:
            print(f"As the {role}.")  # shown with the failure
            raise
        if role == "outsider" and response.status_code < 300 and response.content:
            text = response.content.decode("utf-8", "replace")
            leaked = sorted(secret for secret in WORLD["secrets"] if secret in text)
            assert not leaked, f"{case.method} {case.formatted_path} showed the outsider {leaked}"


@pytest.mark.django_db
def test_the_outsider_check_would_see_a_record_of_oki(world):
    """The same list the outsider reads empty shows the caseworker the secrets looked for."""
    client = Client(raise_request_exception=True)
    for role, found in (("caseworker", True), ("outsider", False)):
        response = client.get("/api/v1/clients/", HTTP_AUTHORIZATION=f"Token {world[role]}")
        text = response.content.decode()
        assert response.status_code == 200
        assert any(secret in text for secret in WORLD["secrets"]) is found, role
