"""What a new officer's password must be (OWASP ASVS 5.0 6.2.1, 6.2.4): long enough, and not
one of the 10,000 most common passwords (data/common-passwords.txt, from zxcvbn 4.5.0, MIT;
see data/README.md). Shipped with the app: nothing is fetched at run time."""
from functools import cache
from pathlib import Path

MIN_LENGTH = 12
MAX_LENGTH = 256  # argon2 takes any length; this only stops a megabyte being hashed
COMMON_FILE = Path(__file__).resolve().parent / "data" / "common-passwords.txt"


@cache
def common_passwords() -> frozenset[str]:
    return frozenset(line.strip().lower()
                     for line in COMMON_FILE.read_text(encoding="utf-8").splitlines()
                     if line.strip())


def problem(password: str) -> str | None:
    """Why this password cannot be used, in words for the person choosing it; None if it can."""
    if len(password) < MIN_LENGTH:
        return f"The password must be at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"The password must be {MAX_LENGTH} characters or fewer."
    if password.strip().lower() in common_passwords():
        return ("That password is one of the most commonly used, so it is easy to guess. "
                "Choose another (a few unrelated words make a good one).")
    return None
