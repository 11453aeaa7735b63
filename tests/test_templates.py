"""Alert templates: sandboxed Jinja2 per rule or per channel, checked at load with file:line."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.conftest import run_cli
from tests.receivers import SmtpReceiver, WebhookReceiver
from tests.test_delivery import RULES, STORY, configure, publish
from tests.webserver import WebServer
from watcher.alert.template import check_template, render


def test_html_output_is_escaped_and_the_sandbox_holds() -> None:
    ctx = {"title": "Prices <rise> & fall", "url": "https://e.org/a?x=1&y=2"}
    assert render("<p>{{ title }}</p>", ctx, html=True) == "<p>Prices &lt;rise&gt; &amp; fall</p>"
    assert render("{{ title }}", ctx) == "Prices <rise> & fall"
    with pytest.raises(ValueError, match="unsafe"):  # the sandbox refuses to reach into Python
        render("{{ title.__class__.__mro__[1].__subclasses__() }}", ctx)
    with pytest.raises(ValueError, match="template error on its line 2"):
        check_template("ok\n{% if %}")
    with pytest.raises(ValueError, match="template failed"):
        render("{{ missing.value }}", ctx)


def test_rule_and_channel_templates_shape_the_message(web: WebServer, smtp: SmtpReceiver, tmp_path: Path) -> None:
    hooks = WebhookReceiver().start()
    publish(web, [("veretsky-18500-sent-to-front", "Veretsky: 18,500 migrants sent to the front", STORY)])
    config = configure(tmp_path, web, hooks, smtp.port)
    rule_template = "{{ speaker.name }} ({{ number.text }}): {{ url }}\n{% for k in keywords %}#{{ k }} {% endfor %}"
    rules = yaml.safe_load(RULES)
    rules["rules"][0]["template"] = rule_template
    rules["rules"][0]["notify"] = ["hooks", "brief"]
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump(rules))
    cfg = yaml.safe_load(config.read_text())
    cfg["channels"]["brief"] = {"urls": [f"json://{hooks.base}/brief"], "format": "text",
                                "template": "{{ rule_id }} | {{ title }} | {{ outlet }}"}
    config.write_text(yaml.safe_dump(cfg))
    try:
        result = run_cli("run", "--once", "--config", str(config))
        assert result.returncode == 0, result.stdout
        url = web.url("/2026/11/veretsky-18500-sent-to-front.html")
        by_path = {r.path: r.json["message"] for r in hooks.received if r.path in ("/alerts", "/brief")}
        head, tags = by_path["/alerts"].split("\n")
        assert head == f"Anton Veretsky (More than 18,500): {url}"
        assert set(tags.strip().lstrip("#").split(" #")) == {"migrants", "new citizens"}
        assert by_path["/brief"].startswith("veretsky-front | Veretsky: 18,500 migrants sent to the front | ")
    finally:
        hooks.stop()


def test_template_mistakes_are_load_errors_with_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "rules.yaml").write_text(RULES.replace("    notify: [hooks, mail, screen]\n",
                                                       "    enabled: true\n    template: '{{ title '\n"))
    (tmp_path / "watcher.yaml").write_text(
        "rules: rules.yaml\nchannels:\n  brief:\n    urls: ['json://127.0.0.1:9/x']\n    template: '{% for %}'\n")
    result = run_cli("check", "--config", str(tmp_path / "watcher.yaml"))
    assert result.returncode == 1
    assert result.stderr.startswith(f"{tmp_path / 'watcher.yaml'}:5: channels.brief.template: template error")
    (tmp_path / "watcher.yaml").write_text("rules: rules.yaml\n")
    result = run_cli("check", "--config", str(tmp_path / "watcher.yaml"))
    assert result.returncode == 1
    assert result.stderr.startswith(f"{tmp_path / 'rules.yaml'}:10: rules[0].template: template error")


def test_disabled_rule_is_checked_but_not_in_force(tmp_path: Path) -> None:
    from watcher.rules.load import load_rules

    (tmp_path / "rules.yaml").write_text(RULES.replace("    notify: [hooks, mail, screen]\n", "    enabled: false\n"))
    assert len(load_rules(tmp_path / "rules.yaml")) == 0
    (tmp_path / "rules.yaml").write_text(RULES.replace("    notify: [hooks, mail, screen]\n", "    enabled: false\n    colour: red\n"))
    with pytest.raises(Exception, match="unknown key 'colour'"):
        load_rules(tmp_path / "rules.yaml")


def test_a_template_making_a_huge_value_is_a_mistake_not_the_memory(tmp_path: Path) -> None:
    # 'a' * 100000000 took ~440 MB at `watcher check` (worked out when loaded); a bigger one took all the memory
    (tmp_path / "watcher.yaml").write_text(
        "channels:\n  brief:\n    urls: ['json://127.0.0.1:9/x']\n    template: \"{{ 'a' * 100000000 }}\"\n")
    result = run_cli("check", "--config", str(tmp_path / "watcher.yaml"))
    assert result.returncode == 1, result.stdout
    assert result.stderr.strip() == (
        f"{tmp_path / 'watcher.yaml'}:4: channels.brief.template: template error on its line 1: '*' would make a "
        "value of 100000000 characters or items; a template value may have at most 1000000"), result.stderr
    (tmp_path / "watcher.yaml").write_text("rules: rules.yaml\n")
    (tmp_path / "rules.yaml").write_text(RULES.replace("    notify: [hooks, mail, screen]\n",
                                                       "    enabled: true\n    template: 'x\n\n      {{ 2 ** 99999999 }}'\n"))
    result = run_cli("check", "--config", str(tmp_path / "watcher.yaml"))
    assert result.returncode == 1, result.stdout
    assert result.stderr.startswith(f"{tmp_path / 'rules.yaml'}:10: rules[0].template: template error on its line 2: "
                                    "'**' would make a number of over 1000000 digits"), result.stderr
    # made of the alert's values, or written over and over: the render stops, the standard message goes
    ctx = {"title": "Prices rise"}
    with pytest.raises(ValueError, match="template failed on its line 2: '\\*' would make a value of 1100000000 "):
        render("{{ title }}\n{{ title * 100000000 }}", ctx)
    with pytest.raises(ValueError, match="the message would be over 1000000 characters"):
        render("{% for i in range(100000) %}{% for j in range(10) %}{{ title }}{% endfor %}{% endfor %}", ctx)
    assert render("{{ title * 2 }} {{ '-' * 3 }} {{ 2 ** 10 }} {{ [1] * 2 }}", ctx) == "Prices risePrices rise --- 1024 [1, 1]"


@pytest.mark.parametrize("template", [
    "{{ title|center(100000000) }}", "{{ (title ~ '\n' ~ title)|indent(100000000) }}",
    "{{ '%0100000000d'|format(1) }}", "{{ fmt % 1 }}", "{{ title.ljust(100000000) }}",
    "{{ '{:>100000000}'.format(title) }}", "{{ (title * 50000)|replace('e', title * 5000) }}",
    "{{ range(100000)|join(title * 10000) }}", "{{ lipsum(100000)|length }}",
    "{% set ns = namespace(s=title) %}{% for i in range(24) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s }}",
    "{% set ns = namespace(s=[title]) %}{% for i in range(27) %}{% set ns.s = ns.s + ns.s %}{% endfor %}{{ ns.s }}",
    "{% set x %}{% for i in range(100000) %}{{ title * 90000 }}{% endfor %}{% endset %}{{ x|length }}",
    "{% macro m() %}{% for i in range(100000) %}{{ title * 90000 }}{% endfor %}{% endmacro %}{{ m()|length }}",
    "{{ [title]|batch(100000000, 'x')|list|length }}", "{{ {'a': 1}|tojson(indent=100000000) }}",
    # a list of big strings is small to hold, but not to write out
    "{% set t = title * 90000 %}{{ [t] * 200 }}", "{% set t = title * 90000 %}{{ ([t] * 200)|string|length }}",
    "{% set t = title * 90000 %}{{ ('%s' % ([t] * 200,))|length }}", "{% set t = title * 90000 %}{{ ([t] * 200) ~ '' }}",
    "{% set l = [] %}{% for i in range(200) %}{% set _ = l.append(title * 90000) %}{% endfor %}{{ l|upper|length }}",
])
def test_text_building_filters_and_loops_are_bounded_too(template: str) -> None:
    # each of these took 100 MB to GBs (and all the memory with bigger numbers) before the message was refused
    import tracemalloc

    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match="would make a value of (over )?[0-9]+ characters"):
            render(template, {"title": "Prices rise", "fmt": "%0100000000d"})
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 30_000_000, f"rendering {template!r} took {peak} bytes"


def test_bounded_templates_still_build_ordinary_text() -> None:
    ctx = {"title": "Prices rise", "n": 5_000_000, "tags": ["a", "b"]}
    assert render("[{{ title|center(15) }}]{{ 'a\nb'|indent(2) }}|{{ '%5d|%s'|format(3, n) }}|{{ '%*d' % (4, 7) }}",
                  ctx) == "[  Prices rise  ]a\n  b|    3|5000000|   7"
    assert render("{{ tags|join(', ') }} {{ title|replace('rise', 'fall') }} {{ [[1], [2]]|sum(start=[]) }} "
                  "{{ '{:>4}'.format(n % 7) }} {{ title.ljust(12) ~ '|' }}", ctx) == "a, b Prices fall [1, 2]    5 Prices rise |"
    assert render("{% set x %}{{ title }}!{% endset %}{% macro m(v) %}<{{ v }}>{% endmacro %}{{ x }}{{ m(n) }}"
                  "{{ {'a': 1}|tojson(indent=2)|length }} {{ lipsum(1, False, 5, 6)|wordcount }}", ctx) \
        == "Prices rise!<5000000>12 5"
    assert render("{{ tags }} {{ tags ~ '!' }} {{ '%s' % (tags,) }} {{ {'k': tags}|string }} {% set l = [1] %}"
                  "{% set _ = l.append(l) %}{{ l }}", ctx) == "['a', 'b'] ['a', 'b']! ['a', 'b'] {'k': ['a', 'b']} [1, [...]]"
    with pytest.raises(ValueError, match="template error on its line 1: a '%' width of 100000000 would make a value"):
        check_template("{{ '%0100000000d' % 1 }}")


def test_loops_in_loops_stop_after_a_million_turns() -> None:
    # range(100000) in range(100000) that wrote nothing kept the render (and the sending) busy for ~13 minutes
    import time

    started = time.monotonic()
    with pytest.raises(ValueError, match="template failed on its line 2: the template's loops would take over 1000000"):
        render("{{ title }}\n{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
               {"title": "Prices rise"})
    assert time.monotonic() - started < 10, "the loops were not stopped"
    assert render("{% for i in range(3) %}{{ loop.index }}/{{ loop.length }}{% if loop.last %}!{% endif %}"
                  "{% endfor %}{% for i in [] %}x{% else %} none{% endfor %}", {}) == "1/32/33/3! none"
