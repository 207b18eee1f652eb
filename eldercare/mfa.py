"""The second factor: TOTP (RFC 6238: 6 digits, 30-second steps, SHA-1, as every authenticator
app reads them), the secret kept encrypted in the application database.

- The secret is encrypted with Fernet under ``settings.totp_key``; the database alone does not
  give the codes.
- A code is accepted once: the step it belongs to is stored, and only a later step is accepted
  next (RFC 6238 section 5.2), so a code seen over someone's shoulder cannot be replayed.
- The clock of a phone may be a step off: the step before and after the server's are accepted.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import time

import pyotp
import segno
import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken

from eldercare.appdb import accounts
from eldercare.errors import EldercareError
from eldercare.settings import DEMO_TOTP_KEY, get_settings

ISSUER = "湛江智慧养老"
STEP = 30
DRIFT = 1  # steps either side of the server's clock


def _fernet() -> Fernet:
    key = get_settings().totp_key.get_secret_value()
    try:
        return Fernet(key.encode())
    except ValueError:
        raise EldercareError(
            "ELDERCARE_TOTP_KEY is not a Fernet key (32 url-safe base64-encoded bytes); make one "
            'with: python -c "from cryptography.fernet import Fernet; '
            'print(Fernet.generate_key().decode())"'
        ) from None


def encrypt(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise EldercareError(
            "a TOTP secret in the application database does not open with ELDERCARE_TOTP_KEY "
            "(was the key changed? docs/security.md, Secrets)"
        ) from None


def new_secret() -> str:
    return pyotp.random_base32()  # 160 bits, RFC 4226's recommended length


def demo_secret(username: str) -> str:
    """A secret anyone can compute from the public demo key: demo and test accounts only."""
    digest = hmac.new(DEMO_TOTP_KEY.encode(), username.encode(), hashlib.sha256).digest()
    return base64.b32encode(digest[:20]).decode()


def uri(username: str, secret: str) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret, interval=STEP).provisioning_uri(name=username, issuer_name=ISSUER)


def qr_png(text: str) -> bytes:
    buf = io.BytesIO()
    segno.make(text, error="m").save(buf, kind="png", scale=6, border=2)
    return buf.getvalue()


def code_at(secret: str, step: int) -> str:
    return pyotp.TOTP(secret, interval=STEP).generate_otp(step)


def current_code(secret: str) -> str:
    return code_at(secret, int(time.time()) // STEP)


def _matching_step(secret: str, code: str) -> int | None:
    code = (code or "").strip().replace(" ", "")
    if len(code) != 6 or not code.isdigit():
        return None
    now = int(time.time()) // STEP
    for step in range(now - DRIFT, now + DRIFT + 1):
        if hmac.compare_digest(code_at(secret, step), code):
            return step
    return None


def _consume(engine: sa.Engine, username: str, step: int, *where, **values) -> bool:
    """Store ``step`` as used unless this or a later step was used already (one statement, so
    two processes accepting the same code at once cannot both win)."""
    last = accounts.c.totp_last_step
    with engine.begin() as conn:
        done = conn.execute(
            accounts.update()
            .where(accounts.c.username == username, sa.or_(last.is_(None), last < step), *where)
            .values(totp_last_step=step, **values)
        )
    return done.rowcount == 1


def stored_secret(engine: sa.Engine, username: str) -> str | None:
    with engine.connect() as conn:
        stored = conn.execute(
            sa.select(accounts.c.totp_secret).where(accounts.c.username == username)
        ).scalar_one_or_none()
    return decrypt(stored) if stored else None


def verify(engine: sa.Engine, username: str, code: str) -> bool:
    """The account's current code, never accepted twice."""
    secret = stored_secret(engine, username)
    step = _matching_step(secret, code) if secret else None
    return step is not None and _consume(engine, username, step)


def enrol(engine: sa.Engine, username: str, secret: str, code: str) -> bool:
    """Bind ``secret`` to an account that has none, once a code made from it is right (the
    person's app works). A bound secret is replaced only after a reset by the 系统管理员."""
    step = _matching_step(secret, code)
    return step is not None and _consume(
        engine, username, step, accounts.c.totp_secret.is_(None), totp_secret=encrypt(secret)
    )
