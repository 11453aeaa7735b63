"""What `database:` names: a SQLite file (relative to the config file's folder), or a PostgreSQL database
given by URL (`postgresql://USER:PASSWORD@HOST:PORT/DATABASE`, kept as written)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from watcher.errors import first_line

SCHEMES = ("postgresql", "postgres")


def is_url(database: object) -> bool:
    """Whether a `database:` value names a PostgreSQL database (else it is a SQLite file)."""
    return isinstance(database, str) and "://" in database and database.split(":", 1)[0].lower() in SCHEMES


def display(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user, host = parts.netloc.rsplit("@", 1)
    return urlunsplit(parts._replace(netloc=f"{user.split(':', 1)[0]}:***@{host}"))


def describe(database: str | Path) -> str:
    """The database as messages name it: the file, or the URL without its password."""
    return display(database) if isinstance(database, str) and is_url(database) else str(database)


def may_exist(database: Path | str) -> bool:
    """Whether the database may hold something: the file exists, or (a URL) the server is asked."""
    return is_url(database) or Path(database).exists()


def check(value: str) -> str | None:
    """What is wrong with a `database:` value that is a URL, or None (checked without connecting)."""
    if "://" not in value:
        return None
    if not is_url(value):
        return (f"{value.split('://', 1)[0]}:// is not a database watcher can use: give a SQLite file name "
                "or a postgresql:// URL")
    import psycopg  # only for a PostgreSQL URL

    try:
        urlsplit(value).port  # noqa: B018  (a port that is not a number raises ValueError)
        params = psycopg.conninfo.conninfo_to_dict(value)
    except (ValueError, psycopg.Error) as e:
        return f"not a usable PostgreSQL URL ({first_line(e)})"
    if not params.get("dbname"):
        return "the PostgreSQL URL names no database (postgresql://USER@HOST:PORT/DATABASE)"
    return None
