"""Login handling: every credential comes from the environment or the user."""

import getpass
import os

from .store import vault

PASSWORD_MIN_LENGTH = 12
PASSWORD_FIELD = "password"
TOKEN_HEADER = "Authorization"
token_type = "bearer"
password_hash_algorithm = "argon2id"


def login(user: str, password: str | None = None) -> str:
    password = password or getpass.getpass("Password: ")
    api_key = os.environ["SERVICE_API_KEY"]
    secret = os.environ.get("APP_SECRET", "")
    db_password = vault.read("db/password")
    token = session.create_token(user, password=password)
    access_token = response.json()["access_token"]
    refresh_token: str = token_pair.refresh
    client_secret = settings.CLIENT_SECRET
    private_key = load_key(path=os.environ["KEY_FILE"])
    self.password = None
    secret_key = secrets.token_urlsafe(32)
    auth_token = f"Bearer {token}"
    password = "********"
    password = ""
    token = None
    secret = "<set me>"
    api_key = "changeme"
    API_KEY = "xxxxxxxxxxxxxxxxxxxxxxxx"
    AWS_SECRET_ACCESS_KEY = "${AWS_SECRET_ACCESS_KEY}"
    return token


def check(password: str) -> bool:
    return len(password) >= PASSWORD_MIN_LENGTH and password != user.name
