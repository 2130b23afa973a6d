"""The API's OpenAPI 3.1 document, written by hand.

tests/test_report_api.py checks that every route under /api/ is here and that the error
codes the code uses are described.
"""
from typing import Any

from ..i18n import SHIPPED
from . import mailbox
from .steps import MAX_ATTACHMENTS, MAX_ATTACHMENT_BYTES

ERROR_CODES = {
    "idempotency_key_missing": "400: no Idempotency-Key header.",
    "idempotency_key_invalid": "400: the key is longer than 64 characters or not printable "
                               "ASCII.",
    "bad_request": "400: the body is not the JSON described here.",
    "csrf_failed": "403: the X-CSRFToken header is missing or expired; fetch a new token "
                   "from /api/csrf and try again.",
    "in_progress": "409: a request with this key is being stored right now; try again "
                   "later.",
    "too_large": "413: the request is larger than the report and its attachments can be, "
                 "or the sealed report is larger than 512 KiB (checked before opening it).",
    "unsupported_type": "415: send application/json or multipart/form-data.",
    "invalid": "422: an answer breaks a rule; `field` and `step` say which (the rules are at "
               "/report/rules.json); `errors` lists every one.",
    "sealed_invalid": "422: the report is not a sealed envelope, is sealed to a key this "
                      "service does not accept (fetch /api/report-key again), or (where the "
                      "process holds the private key) does not open or is not a report.",
    "attachment_invalid": "422: an attachment is not an image we accept (checked by "
                          "content), too large, too many, or does not match the answers.",
    "idempotency_conflict": "422: this key was already used for a report with different "
                            "content.",
    "rate_limited": "429: too many reports from this address (or requests for this "
                    "mailbox); wait `Retry-After` seconds.",
    "not_found": "404: no open mailbox has this secret (unknown, wrong, closed or deleted: "
                 "one answer for all, so nobody without the secret learns anything).",
    "mailbox_full": "422: this mailbox has taken as many answers as it can (100).",
}

KEY_PATTERN = r'^([!#-~]([ -~]{0,62}[!-~])?|"([ !#-\[\]-~]|\\[\\"]){1,64}")$'

_ERROR = {
    "type": "object", "required": ["error"],
    "properties": {"error": {
        "type": "object", "required": ["code", "message"],
        "properties": {
            "code": {"type": "string", "enum": sorted(ERROR_CODES),
                     "description": "Stable; see x-error-codes."},
            "message": {"type": "string", "description": "For people; may change."},
            "field": {"type": "string", "description": "The answer key (or contacts-<i>-"
                      "<field> for a row, created_at, report, attachments)."},
            "step": {"type": "string", "description": "The form step to go back to."},
            "rule": {"type": "string", "description": "required, invalid, too_long, "
                     "pattern, too_many, too_large, mismatch, unknown (an answer the form "
                     "does not ask for; step is `check`), too_late (created_at more than "
                     "24 hours ahead of the server's clock)."},
            "index": {"type": "integer", "description": "Which attachment (from 0)."},
            "errors": {"type": "array", "items": {"type": "object"}},
        }}},
}

_ENVELOPE = {
    "type": "object", "required": ["v", "kid", "alg", "key", "iv", "ct"],
    "description": "A sealed envelope (pwa/sealing.py): a fresh AES-256-GCM key encrypts the "
                   "content and is wrapped with RSA-OAEP-256 to the key from "
                   "/api/report-key. Base64 fields.",
    "properties": {
        "v": {"const": 1}, "kid": {"type": "string"},
        "alg": {"const": "RSA-OAEP-256+A256GCM"},
        "key": {"type": "string", "contentEncoding": "base64"},
        "iv": {"type": "string", "contentEncoding": "base64"},
        "ct": {"type": "string", "contentEncoding": "base64"},
    },
}

_META = {
    "type": "object", "required": ["created_at", "report"],
    "properties": {
        "created_at": {"type": "string", "format": "date-time",
                       "description": "When the person pressed Send, by the device's clock. "
                                      "More than 24 hours ahead of the server's clock is "
                                      "refused (422 invalid, rule too_late)."},
        "report": {"$ref": "#/components/schemas/Envelope",
                   "description": "The answers, sealed: UTF-8 JSON {\"v\": 1, \"in_danger\": "
                                  "..., ...} with the keys of /report/rules.json; with "
                                  "attachments, `attachments: [{name, type, size}]` in the "
                                  "order of the attachment parts."},
        "mailbox": {"$ref": "#/components/schemas/NewMailbox"},
        "language": {"type": "string", "enum": list(SHIPPED),
                     "description": "The language the report was written in (the page's "
                                    "language code); English when absent. Stored plain, so "
                                    "officers can arrange an interpreter."},
    },
}

_RECEIPT = {
    "type": "object", "required": ["reference", "received_at"],
    "properties": {
        "reference": {"type": "string", "pattern": "^SX-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$"},
        "received_at": {"type": "string", "format": "date-time"},
    },
}


_NEW_MAILBOX = {
    "type": "object", "required": ["key", "secret_hash"],
    "description": "Private replies (optional): the device's mailbox for this report. The "
                   "device keeps the private key and the secret; the server stores this "
                   "public key (replies are sealed to it) and the secret's hash.",
    "properties": {
        "key": {"type": "object", "required": ["kty", "n", "e"],
                "description": "RSA-OAEP-256 public key as a JWK, 2048 to 4096 bits, "
                               "exponent 65537.",
                "properties": {"kty": {"const": "RSA"}, "n": {"type": "string"},
                               "e": {"type": "string"}}},
        "secret_hash": {"type": "string", "pattern": "^[0-9a-f]{64}$",
                        "description": "SHA-256 (lower-case hex) of the UTF-8 secret, a "
                                       "random 256-bit value the device keeps."},
    },
}

_SECRET_FIELD = {"type": "string", "maxLength": mailbox.MAX_SECRET_CHARS,
                 "description": "The mailbox's secret (never in a URL)."}
_SECRET = {"type": "object", "required": ["secret"], "properties": {"secret": _SECRET_FIELD}}

_ANSWER = {
    "type": "object", "required": ["secret", "created_at", "message"],
    "properties": {
        "secret": _SECRET_FIELD,
        "created_at": {"type": "string", "format": "date-time"},
        "message": {"$ref": "#/components/schemas/Envelope",
                    "description": "UTF-8 JSON {\"v\": 1, \"text\": ...} (at most "
                                   f"{mailbox.MAX_ANSWER_CHARS} characters), sealed to "
                                   "/api/report-key."},
    },
}


def _json_body(ref: str) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": {
        "$ref": f"#/components/schemas/{ref}"}}}}


def _mailbox_paths() -> dict[str, Any]:
    limited = {**_error_response("rate_limited"), "headers": {
        "Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait."}}}
    common = {"400": _error_response("bad_request: the body is not a JSON object"),
              "404": _error_response("not_found: no open mailbox has this secret"),
              "415": _error_response("unsupported_type"), "429": limited}
    return {
        "/api/mailbox/messages": {"post": {
            "summary": "The officers' replies to a mailbox, sealed to its key",
            "description": "No CSRF token: the secret in the body is what another site "
                           "cannot have. Rate limited per mailbox and per address.",
            "requestBody": _json_body("MailboxSecret"),
            "responses": {"200": {"description": "Replies, oldest first", "content": {
                "application/json": {"schema": {
                    "type": "object", "required": ["messages"],
                    "properties": {"messages": {"type": "array", "items": {
                        "type": "object", "required": ["id", "sent_at", "message"],
                        "properties": {
                            "id": {"type": "integer"},
                            "sent_at": {"type": "string", "format": "date-time"},
                            "message": {"type": "object", "description": "An envelope "
                                        "sealed to the mailbox's key: UTF-8 JSON "
                                        "{\"v\": 1, \"text\": ...}."}}}}}}}}},
                **common},
        }},
        "/api/mailbox/answers": {"post": {
            "summary": "A victim's answer, sealed to the force's key (exactly once per key)",
            "description": "Sent by the device's outbox, like a report: the same key with "
                           "the same bytes repeats the answer (201, Idempotent-Replayed); "
                           "with other bytes, 422 idempotency_conflict.",
            "parameters": [
                {"name": "Idempotency-Key", "in": "header", "required": True,
                 "schema": {"type": "string", "pattern": KEY_PATTERN}},
                {"name": "X-CSRFToken", "in": "header", "required": True,
                 "schema": {"type": "string"}},
            ],
            "requestBody": _json_body("MailboxAnswer"),
            "responses": {
                "201": {"description": "Stored (now, or by an earlier request with this key)",
                        "headers": {"Idempotent-Replayed": {"schema": {"const": "true"}}},
                        "content": {"application/json": {"schema": {
                            "type": "object", "required": ["received_at"],
                            "properties": {"received_at": {"type": "string",
                                                           "format": "date-time"}}}}}},
                "400": _error_response("bad_request, idempotency_key_missing or "
                                       "idempotency_key_invalid"),
                "403": _error_response("csrf_failed"),
                "404": common["404"], "413": _error_response("too_large"),
                "415": common["415"],
                "422": _error_response("invalid, sealed_invalid, idempotency_conflict or "
                                       "mailbox_full"),
                "429": limited},
        }},
        "/api/mailbox/close": {"post": {
            "summary": "Close a mailbox: no more replies (\"I don't need replies any more\")",
            "description": "Afterwards the secret gets 404 like any other.",
            "requestBody": _json_body("MailboxSecret"),
            "responses": {"200": {"description": "Closed", "content": {"application/json": {
                "schema": {"type": "object", "required": ["closed"],
                           "properties": {"closed": {"const": True}}}}}}, **common},
        }},
    }


def _error_response(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Sextortion help: report API",
            "version": "1",
            "description": "How the report form's outbox delivers a sealed report exactly "
                           "once. No IP address, user agent or other detail of the device is "
                           "stored with a report.",
        },
        "paths": {
            "/api/csrf": {"get": {
                "summary": "A fresh CSRF token for one delivery attempt",
                "description": "Sets the session cookie the token is tied to. Fetch one "
                               "before each attempt; never store it.",
                "responses": {"200": {"description": "The token", "headers": {
                    "Cache-Control": {"schema": {"const": "no-store"}}},
                    "content": {"application/json": {"schema": {
                        "type": "object", "required": ["token"],
                        "properties": {"token": {"type": "string"}}}}}}},
            }},
            "/api/report-key": {"get": {
                "summary": "The force's public key (JWK) to seal reports to",
                "responses": {"200": {"description": "RSA-OAEP-256 public key with its kid",
                                      "content": {"application/json": {"schema": {
                                          "type": "object",
                                          "required": ["kty", "alg", "kid", "n", "e"],
                                          "properties": {
                                              "kty": {"const": "RSA"},
                                              "alg": {"const": "RSA-OAEP-256"},
                                              "kid": {"type": "string"},
                                              "n": {"type": "string"},
                                              "e": {"type": "string"}}}}}}},
            }},
            "/api/reports": {"post": {
                "summary": "Deliver a sealed report (exactly once per Idempotency-Key)",
                "description": (
                    "The same key with the same content repeats the original answer (201, the "
                    "same reference, with `Idempotent-Replayed: true`); with different "
                    "content, 422 idempotency_conflict. A unique key "
                    "in the database keeps one report per key under concurrent posts. "
                    f"Attachments: images only (JPEG, PNG, WebP, GIF), at most "
                    f"{MAX_ATTACHMENTS}, {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB each "
                    "before sealing; each part is one sealed envelope (JSON) of the image "
                    "bytes. Rate limited per client address; a retry of a report already "
                    "stored is never refused by the limit."),
                "parameters": [
                    {"name": "Idempotency-Key", "in": "header", "required": True,
                     "description": "A random UUID made when the report was started, as a "
                                    "Structured Field string (`\"…\"`, the IETF draft's "
                                    "form) or bare: up to 64 printable ASCII characters.",
                     # Bare (not starting with a quote, no space at either end) or quoted
                     # (with \\ before any " or \\ inside).
                     "schema": {"type": "string", "pattern": KEY_PATTERN}},
                    {"name": "X-CSRFToken", "in": "header", "required": True,
                     "description": "From GET /api/csrf, fetched for this attempt.",
                     "schema": {"type": "string"}},
                ],
                "requestBody": {"required": True, "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/Meta"}},
                    "multipart/form-data": {
                        "schema": {"type": "object", "required": ["meta"],
                                   "additionalProperties": False, "properties": {
                            "meta": {"$ref": "#/components/schemas/Meta",
                                     "description": "The Meta JSON, as the part's text."},
                            "attachment": {"type": "array", "maxItems": MAX_ATTACHMENTS,
                                           "items": {"type": "string",
                                                     "contentMediaType": "application/json",
                                                     "description": "A sealed envelope of "
                                                                    "one image."}}}},
                        "encoding": {"meta": {"contentType": "application/json"}}},
                }},
                "responses": {
                    "201": {"description": "Stored, now or by an earlier request with this key "
                                           "(then the same receipt, and the header "
                                           "Idempotent-Replayed: true)",
                            "headers": {"Idempotent-Replayed": {
                                "schema": {"const": "true"},
                                "description": "Only on a replay of a stored report."}},
                            "content": {"application/json": {"schema": {
                                "$ref": "#/components/schemas/Receipt"}}}},
                    "400": _error_response("idempotency_key_missing, idempotency_key_invalid "
                                           "or bad_request"),
                    "403": _error_response("csrf_failed"),
                    "409": _error_response("in_progress: retry later"),
                    "413": _error_response("too_large"),
                    "415": _error_response("unsupported_type"),
                    "422": _error_response("invalid, sealed_invalid, attachment_invalid or "
                                           "idempotency_conflict: final; show the person"),
                    "429": {**_error_response("rate_limited"), "headers": {
                        "Retry-After": {"schema": {"type": "integer"},
                                        "description": "Seconds to wait."}}},
                },
            }},
            **_mailbox_paths(),
            "/api/openapi.json": {"get": {
                "summary": "This document",
                "responses": {"200": {"description": "OpenAPI 3.1",
                                      "content": {"application/json": {}}}},
            }},
        },
        "components": {"schemas": {"Error": _ERROR, "Envelope": _ENVELOPE, "Meta": _META,
                                   "Receipt": _RECEIPT, "NewMailbox": _NEW_MAILBOX,
                                   "MailboxSecret": _SECRET, "MailboxAnswer": _ANSWER}},
        "x-error-codes": ERROR_CODES,
    }
