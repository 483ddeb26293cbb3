"""The CI examples in docs/ci/ (GitHub Actions, GitLab CI, Jenkins) have the right shape, and
their TwinBench step, run as the runner would run it (bash, no TTY, no display, no keyring),
passes on the sim and leaves the JUnit report the job publishes."""

from __future__ import annotations

import json
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import yaml

from twinbench.cli import _command_parser

ROOT = Path(__file__).resolve().parents[3]
CI = ROOT / "docs" / "ci"


def _twinbench_lines(script: str) -> list[str]:
    return [ln.strip() for ln in script.splitlines() if ln.strip().startswith("twinbench ")]


def _args_parse(line: str) -> None:
    import shlex

    argv = shlex.split(line)[1:]
    parser, _ = _command_parser(argv[0])
    parser.parse_args(argv)  # SystemExit (a failed test) when an option is wrong


def _run_script(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", "-e", "-c", script],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _check_reports(work: Path, r: subprocess.CompletedProcess) -> None:
    assert r.returncode == 0, r.stdout + r.stderr
    suite = ET.parse(work / "reports" / "junit.xml").getroot()
    suite = suite if suite.tag == "testsuite" else suite.find("testsuite")
    assert int(suite.get("tests")) == 4 and int(suite.get("failures")) == 0
    assert json.loads((work / "reports" / "summary.json").read_text())["bench"]["passed"]
    events = [json.loads(line) for line in r.stderr.splitlines()]  # TWINBENCH_LOG_FORMAT=json
    assert [e["event"] for e in events if e["event"] in ("assertion", "result")][-1] == "result"
    assert any(e["event"] == "connection" for e in events)


def test_github_actions_example(tmp_path, ci_env, sim_bench):
    doc = yaml.safe_load((CI / "github-actions.yml").read_text())
    job = doc["jobs"]["bench"]
    assert job["timeout-minutes"] > 0 and "self-hosted" in job["runs-on"]
    (step,) = [s for s in job["steps"] if "twinbench run" in s.get("run", "")]
    (line,) = _twinbench_lines(step["run"])
    _args_parse(line)
    assert "--junit reports/junit.xml" in line
    uploads = [s for s in job["steps"] if s.get("uses", "").startswith("actions/upload-artifact")]
    assert uploads[0]["if"] == "always()" and uploads[0]["with"]["path"] == "reports/"
    env = {**ci_env, **{k: v for k, v in job["env"].items() if "${{" not in v}}
    r = _run_script(step["run"], tmp_path, env)
    _check_reports(tmp_path, r)


def test_gitlab_ci_example(tmp_path, ci_env, sim_bench):
    doc = yaml.safe_load((CI / "gitlab-ci.yml").read_text())
    job = doc["hil-bench"]
    assert job["artifacts"]["when"] == "always"
    junit = job["artifacts"]["reports"]["junit"]
    script = "\n".join(job["script"])
    (line,) = _twinbench_lines(script)
    _args_parse(line)
    assert f"--junit {junit}" in line
    r = _run_script(script, tmp_path, {**ci_env, **job["variables"]})
    _check_reports(tmp_path, r)


def test_jenkinsfile_example(tmp_path, ci_env, sim_bench):
    text = (CI / "Jenkinsfile").read_text()
    code = re.sub(r"//[^\n]*", "", text)
    assert code.count("{") == code.count("}") and code.count("(") == code.count(")")
    (script,) = [b for b in re.findall(r"sh '''(.*?)'''", text, flags=re.S) if "twinbench" in b]
    (line,) = _twinbench_lines(script)
    _args_parse(line)
    post = code[code.index("post {") :]
    assert "always {" in post and "junit 'reports/junit.xml'" in post
    env = dict(re.findall(r"^\s*(\w+) = '([^']*)'\s*$", code, flags=re.M))
    assert env["TWINBENCH_LOG_FORMAT"] == "json"
    r = _run_script(script, tmp_path, {**ci_env, **env})
    _check_reports(tmp_path, r)
