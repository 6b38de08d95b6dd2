"""Start-up refuses an encoder setting that cannot work, naming the setting, before serving or working."""
from __future__ import annotations

import pytest


def test_up_stops_before_serving_when_the_model_folder_is_missing(app, runner, tmp_path):
    app.config["ENCODER"] = str(tmp_path / "missing-model")
    result = runner.invoke(["up", "--port", "0"])
    assert result.exit_code == 1
    assert "MARKET_ENCODER" in result.output and "missing-model" in result.output
    assert "serving on" not in result.output


@pytest.mark.slow
def test_worker_stops_when_the_model_folder_does_not_load(app, runner, tmp_path):
    broken = tmp_path / "broken-model"
    broken.mkdir()
    (broken / "config.json").write_text("{this is not json")
    (broken / "modules.json").write_text("[]")
    app.config["ENCODER"] = str(broken)
    result = runner.invoke(["worker", "--once"])
    assert result.exit_code == 1
    assert "MARKET_ENCODER" in result.output and "broken-model" in result.output
