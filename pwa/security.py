"""Security headers: a strict CSP with no inline code, so whole pages can be cached."""
from flask import Flask, Response

from .extensions import talisman

# Nothing is allowed unless listed: each kind of resource the app really loads is named, all
# from our own origin. No fonts (the system's), no frames, media or plugins.
CSP = {
    "default-src": "'none'",
    "script-src": "'self'",
    "style-src": "'self'",
    # blob: lets the report form preview a chosen screenshot without uploading it.
    "img-src": ["'self'", "blob:"],
    # The outbox's fetches, and the service worker's (its CSP is this one, sent on /sw.js).
    "connect-src": "'self'",
    "font-src": "'none'",
    "manifest-src": "'self'",
    "worker-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}

PERMISSIONS_POLICY = {
    feature: "()"
    for feature in (
        "accelerometer", "autoplay", "camera", "display-capture", "geolocation", "gyroscope",
        "magnetometer", "microphone", "midi", "payment", "usb", "interest-cohort",
        "browsing-topics",
    )
}


def init_app(app: Flask) -> None:
    talisman.init_app(
        app,
        force_https=app.config["FORCE_HTTPS"],
        strict_transport_security=app.config["HSTS"],
        strict_transport_security_preload=False,
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        session_cookie_http_only=True,
        session_cookie_samesite=app.config["SESSION_COOKIE_SAMESITE"],
        content_security_policy=CSP,
        content_security_policy_nonce_in=[],
        referrer_policy="same-origin",
        permissions_policy=PERMISSIONS_POLICY,
        frame_options="DENY",
        x_content_type_options=True,
    )

    @app.after_request
    def isolate(response: Response) -> Response:
        # Talisman has no setting for these; they keep other origins' windows and pages
        # from reaching into ours.
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response
