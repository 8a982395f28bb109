"""Configuration from the environment: safe defaults, clear errors for bad values."""

import os
import subprocess
import sys

import pytest

CHECK = (
    "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'frontline.settings'; "
    "django.setup(); from django.conf import settings as s; "
    "print(s.DATABASES['default']['ENGINE'], s.SECRET_KEY[:4], "
    "s.CHANNEL_LAYERS['default']['BACKEND'])"
)


def run_settings(tmp_path, **env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DJANGO_SETTINGS_MODULE")
    }
    clean["FRONTLINE_DATA_DIR"] = str(tmp_path)
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", CHECK], env=clean, capture_output=True, text=True, timeout=60
    )


def test_defaults_need_no_configuration(tmp_path):
    result = run_settings(tmp_path)
    assert result.returncode == 0, result.stderr
    engine, _, layer = result.stdout.split()
    assert engine == "frontline.lib.sqlite"
    assert layer == "channels.layers.InMemoryChannelLayer"
    # A generated secret is kept beside the data, private, and reused on the next start.
    key_file = tmp_path / "secret_key"
    assert key_file.stat().st_mode & 0o077 == 0
    assert run_settings(tmp_path).stdout == result.stdout


@pytest.mark.parametrize(
    "name, value, message",
    [
        ("DATABASE_URL", "mysql://root@localhost/x", "DATABASE_URL"),
        ("DEBUG", "maybe", "DEBUG"),
        ("REDIS_URL", "http://localhost:6379", "REDIS_URL"),
        ("FRONTLINE_MAX_ATTACHMENT_BYTES", "lots", "FRONTLINE_MAX_ATTACHMENT_BYTES"),
        ("EMAIL_URL", "pigeon://loft", "EMAIL_URL"),
        ("FRONTLINE_SYNC_THREADS", "0", "FRONTLINE_SYNC_THREADS"),
        ("FRONTLINE_EMAIL_PROVIDER", "pigeonpost", "FRONTLINE_EMAIL_PROVIDER"),
    ],
)
def test_bad_value_stops_start_up_naming_the_variable(tmp_path, name, value, message):
    result = run_settings(tmp_path, **{name: value})
    assert result.returncode != 0
    assert f"Bad value for environment variable {message}" in result.stderr


def test_a_mail_provider_sends_through_anymail_with_its_credentials(tmp_path):
    check = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'frontline.settings'; "
        "django.setup(); from django.conf import settings as s; "
        "from django.core.mail import get_connection; "
        "print(s.MAILERS['default']['BACKEND'], s.ANYMAIL['POSTMARK_SERVER_TOKEN'], "
        "type(get_connection()).__module__)"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env |= {"FRONTLINE_DATA_DIR": str(tmp_path), "FRONTLINE_EMAIL_PROVIDER": "Postmark",
            "ANYMAIL_POSTMARK_SERVER_TOKEN": "server-token"}  # fmt: skip
    result = subprocess.run([sys.executable, "-c", check], env=env, capture_output=True,
                            text=True, timeout=60)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "anymail.backends.postmark.EmailBackend", "server-token", "anymail.backends.postmark",
    ]  # fmt: skip


@pytest.mark.parametrize("where", ["sent-mail", "/elsewhere/outbox"])
def test_file_mail_keeps_each_message_in_a_folder(tmp_path, where):
    # What `scripts/run` uses when no mail server is configured: mail is kept, not lost.
    folder = tmp_path / "sent-mail" if where == "sent-mail" else tmp_path / "elsewhere/outbox"
    url = "filemail://sent-mail" if where == "sent-mail" else f"filemail://{folder}"
    send = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'frontline.settings'; "
        "django.setup(); from django.core.mail import send_mail; "
        "send_mail('Your request #7', 'We replied.', None, ['ada@example.com'])"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env |= {"FRONTLINE_DATA_DIR": str(tmp_path), "EMAIL_URL": url}
    result = subprocess.run([sys.executable, "-c", send], env=env, capture_output=True,
                            text=True, timeout=60)  # fmt: skip
    assert result.returncode == 0, result.stderr
    (kept,) = folder.iterdir()
    text = kept.read_text()
    assert "Subject: Your request #7" in text and "To: ada@example.com" in text


def test_redis_url_switches_channel_layer_and_cache(tmp_path):
    result = run_settings(
        tmp_path, REDIS_URL="redis://127.0.0.1:6379/3", SECRET_KEY="from-the-environment"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "frontline.lib.sqlite",
        "from",
        "channels_redis.core.RedisChannelLayer",
    ]
