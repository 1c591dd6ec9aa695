"""The OpenAPI document against the running app (waitress on loopback), with schemathesis:
every operation, with generated parameters and bodies, must answer with a declared status,
content type and body, and never with a 5xx."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import positive_data_acceptance
from webutil import TOKEN_HEADER, library_with, live_server, make_app, shutdown, wait_idle

pytestmark = pytest.mark.filterwarnings("ignore")  # schemathesis's and requests' own warnings


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = library_with(tmp_path_factory.mktemp("lib"), "letter-contact-details.png",
                        "id-card-utopia.jpg")
    app = make_app(root)
    wait_idle(app.test_client())
    with live_server(app) as url:
        yield app, url
    shutdown(app)


def test_api_conforms_to_its_openapi_document(served):
    """Each operation in turn, with Hypothesis-generated cases (schemathesis's pytest
    plugin for lazily loaded schemas does not run under pytest 9, so the loop is ours)."""
    app, url = served
    schema = schemathesis.openapi.from_url(f"{url}/api/openapi.json")
    token = {TOKEN_HEADER: app.config["CSRF_TOKEN"]}
    operations = [result.ok() for result in schema.get_all_operations()]
    # every API route of the app is in the document
    routes = {f"{m} {r.rule.replace('<id:image_id>', '{image_id}')}"
              for r in app.url_map.iter_rules() if r.rule.startswith("/api/")
              for m in r.methods - {"HEAD", "OPTIONS"}}
    # (schemathesis leaves out the operation that serves the document itself)
    assert {op.label for op in operations} == routes - {"GET /api/openapi.json"}
    failures: list[str] = []
    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=12, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case):
            # positive_data_acceptance is left out: the API checks what a schema cannot say
            # (that bytes are an image, that a box lies inside this image), and answers 4xx
            case.call_and_validate(base_url=url, headers=token,
                                   excluded_checks=[positive_data_acceptance])

        try:
            check()
        except Exception as exc:  # collect every operation's failure, then report them all
            failures.append(f"{operation.label}: {exc}")
    assert not failures, "\n\n".join(failures)
