"""docker-compose.yml, the Dockerfile and the operator's guide line up with what settings.py reads."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
ENV_READ = re.compile(r'(?:os\.environ\.get|envbool|envint|envlist)\(\s*"([A-Z][A-Z0-9_]+)"')


def settings_env_vars() -> set[str]:
    return set(ENV_READ.findall((ROOT / "programme" / "settings.py").read_text()))


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_the_production_services_with_health_checks():
    services = compose()["services"]
    assert {"db", "redis", "web", "worker", "beat"} <= set(services)
    for name in ("db", "redis", "web", "worker"):
        assert "healthcheck" in services[name], f"{name} has no health check"
    assert services["db"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")


def test_app_services_wait_for_healthy_dependencies():
    services = compose()["services"]
    for name in ("web", "worker"):
        depends = services[name]["depends_on"]
        assert depends["db"]["condition"] == "service_healthy"
        assert depends["redis"]["condition"] == "service_healthy"
        assert depends["migrate"]["condition"] == "service_completed_successfully"


def test_exactly_one_beat():
    beat = compose()["services"]["beat"]
    assert beat["deploy"]["replicas"] == 1
    assert "beat" in beat["command"]
    assert "worker" in compose()["services"]["worker"]["command"]


def test_web_runs_gunicorn_and_static_files_are_collected_in_the_image():
    assert "gunicorn" in compose()["services"]["web"]["command"]
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "collectstatic" in dockerfile and "compilemessages" in dockerfile
    assert "FROM python:3.12" in dockerfile


def test_every_compose_variable_is_read_by_settings():
    app_env = compose()["x-app-env"]
    unknown = set(app_env) - settings_env_vars()
    assert not unknown, f"docker-compose sets variables settings.py never reads: {unknown}"
    for name in ("web", "worker", "beat"):
        assert compose()["services"][name]["environment"] == app_env
    assert app_env["DEBUG"] == "0"
    assert app_env["DATABASE_URL"].startswith("postgresql://") and "@db:5432/" in app_env["DATABASE_URL"]
    assert app_env["REDIS_URL"].startswith("redis://redis:6379")


def test_every_setting_variable_is_documented_in_the_operators_guide():
    guide = (ROOT / "docs" / "operations.md").read_text()
    missing = sorted(name for name in settings_env_vars() if f"`{name}`" not in guide)
    assert not missing, f"docs/operations.md configuration table lacks: {missing}"
