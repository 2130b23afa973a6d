"""The API's OpenAPI 3.1 document, by hand (see tests/test_report_api.py for the check)."""


def document():
    return {"openapi": "3.1.0", "info": {"title": "Sextortion help report API", "version": "1"},
            "paths": {}}
