"""Shared helpers of the soak stack's tests (test_dashboard.py, test_compose.py).

Paths, the files under test loaded once, a small PromQL reader (the metric
names and label names an expression uses), the metrics log-capturer exports
(from its source and from a live /metrics dump), and promtool.
"""

import json
import os
import re
import shutil
import subprocess
import tempfile

import yaml

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SOAK = os.path.join(REPO, "soak")
COMPOSE_FILE = os.path.join(REPO, "docker-compose.yml")
DASHBOARD_FILE = os.path.join(SOAK, "grafana", "dashboards", "log-capturer.json")
DATASOURCES_DIR = os.path.join(SOAK, "grafana", "provisioning", "datasources")
DASHBOARD_PROVIDERS_DIR = os.path.join(SOAK, "grafana", "provisioning", "dashboards")
PROMETHEUS_FILE = os.path.join(SOAK, "prometheus", "prometheus.yml")
ALERTS_FILE = os.path.join(SOAK, "prometheus", "alerts.yml")
LOKI_FILE = os.path.join(SOAK, "loki", "config.yaml")
METRICS_FIXTURE = os.path.join(SOAK, "tests", "fixtures", "log-capturer-metrics.txt")
METRICS_SOURCES = [
    os.path.join(REPO, "core", "metrics", "engine_metrics.cc"),
    os.path.join(REPO, "core", "metrics", "process_collector.cc"),
]

# Labels Prometheus adds to every scraped series (docker-compose.yml's scrape
# config adds no others).
TARGET_LABELS = {"job", "instance"}
# Series Prometheus makes itself, with their labels (ALERTS also carries the
# alert's own labels and those of the series that fired it).
PROMETHEUS_SERIES = {
    "up": {"job", "instance"},
    "ALERTS": {"alertname", "alertstate", "severity", "criterion", "error_type"} | TARGET_LABELS,
}
# Families registered by log-capturer that only appear with fault injection.
INJECTION_ONLY = {"log_capturer_leak_series"}


def load_yaml(path):
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def load_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def yaml_files(folder):
    return sorted(os.path.join(folder, n) for n in os.listdir(folder) if n.endswith((".yml", ".yaml")))


# --------------------------------------------------------------------------
# docker-compose.yml: defaults of ${VAR:-default}
# --------------------------------------------------------------------------

def compose_default(text, var):
    """The default of ${var:-default} in text; None when var is not used so."""
    m = re.search(r"\$\{" + re.escape(var) + r":-([^}]*)\}", text)
    return m.group(1) if m else None


def interpolate_defaults(text):
    """Replaces ${VAR:-default} with default, as compose does with VAR unset."""
    return re.sub(r"\$\{[A-Za-z_][A-Za-z0-9_]*:-([^}]*)\}", r"\1", text)


def duration_seconds(text):
    """'5m', '300s', '2.5s', '1h', '1m30s' -> seconds (log-capturer's duration syntax)."""
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|s|m|h)", text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise ValueError("not a duration: %r" % text)
    scale = {"ms": 0.001, "s": 1, "m": 60, "h": 3600}
    return sum(float(n) * scale[u] for n, u in parts)


# --------------------------------------------------------------------------
# What log-capturer exports
# --------------------------------------------------------------------------

def source_metrics():
    """{family name: type} from core/metrics' source: the names given to
    prometheus-cpp's builders (Gauge/Counter/Histogram helpers, Build*(), the
    process collector's AddGauge)."""
    families = {}
    for path in METRICS_SOURCES:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        for kind, name in re.findall(r'\b(Gauge|Counter|Histogram|CounterFamily)\(\s*r,\s*"([a-z_:]+)"', text):
            families[name] = {"CounterFamily": "counter"}.get(kind, kind.lower())
        for kind, name in re.findall(r'Build(Gauge|Counter|Histogram|Summary)\(\)\s*\.Name\("([a-z_:]+)"\)', text):
            families[name] = kind.lower()
        for name in re.findall(r'AddGauge\(\s*out,\s*"([a-z_:]+)"', text):
            families[name] = "gauge"
    return families


def parse_exposition(path):
    """Prometheus text format -> ({family: type}, {sample name: set of label names})."""
    types, labels = {}, {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("# TYPE "):
                _, _, name, kind = line.split(None, 3)
                types[name] = kind
            elif line and not line.startswith("#"):
                m = re.match(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})?\s", line)
                if not m:
                    raise ValueError("%s: not a sample line: %r" % (path, line))
                names = set(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="', m.group(3) or ""))
                labels.setdefault(m.group(1), set()).update(names)
    return types, labels


def exported_series():
    """{series name: label names} a scrape of log-capturer yields: the live
    /metrics fixture's samples, the source's families (histograms as
    _bucket/_sum/_count), plus the target labels Prometheus adds."""
    _, labels = parse_exposition(METRICS_FIXTURE)
    out = {name: set(ls) | TARGET_LABELS for name, ls in labels.items()}
    for name, kind in source_metrics().items():
        if name in INJECTION_ONLY:
            continue
        names = [name + s for s in ("_bucket", "_sum", "_count")] if kind == "histogram" else [name]
        for n in names:
            out.setdefault(n, set(TARGET_LABELS))
            if n.endswith("_bucket"):
                out[n].add("le")
    return out


# --------------------------------------------------------------------------
# A small PromQL reader
# --------------------------------------------------------------------------

PROMQL_KEYWORDS = {
    # aggregations and their modifiers
    "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values",
    "bottomk", "topk", "quantile", "by", "without",
    # binary operators and matching
    "and", "or", "unless", "bool", "on", "ignoring", "group_left", "group_right",
    "offset", "atan2",
}


def strip_strings(expr):
    return re.sub(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`', '""', expr)


def promql_references(expr):
    """What an expression reads: (set of metric names, {metric: label names in
    its matcher}, label names in by/without/on/ignoring/group_* clauses).
    Handles what the soak files use: selectors with matchers, ranges,
    subqueries, offsets, function calls, aggregations with grouping."""
    e = strip_strings(expr)
    grouping = set()
    for clause in re.findall(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)", e):
        grouping.update(x.strip() for x in clause.split(",") if x.strip())
    e = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", r" \1 ", e)
    matchers = {}
    metrics = set()
    # name{...} selectors
    for name, body in re.findall(r"([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{([^}]*)\}", e):
        if name in PROMQL_KEYWORDS:
            continue
        metrics.add(name)
        matchers.setdefault(name, set()).update(re.findall(r"([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)", body))
    bare_selectors = re.findall(r"\{([^}]*)\}", re.sub(r"[a-zA-Z_:][a-zA-Z0-9_:]*\s*\{[^}]*\}", " ", e))
    if any(s.strip() for s in bare_selectors):
        raise ValueError("selector without a metric name in %r: not checkable" % expr)
    e = re.sub(r"\{[^}]*\}", " ", e)
    e = re.sub(r"\[[^\]]*\]", " ", e)
    for m in re.finditer(r"(?<![\w.$])([a-zA-Z_:][a-zA-Z0-9_:]*)", e):
        name = m.group(1)
        rest = e[m.end():].lstrip()
        if rest.startswith("("):  # a function call (or an aggregation without modifier)
            continue
        if name in PROMQL_KEYWORDS or name.lower() in {"inf", "nan"}:
            continue
        metrics.add(name)
    return metrics, matchers, grouping


def check_references(expr, exported):
    """Problems (strings) with the metric and label names expr uses, against
    exported ({series name: label names}); [] when every name is real."""
    problems = []
    try:
        metrics, matchers, grouping = promql_references(expr)
    except ValueError as e:
        return [str(e)]
    known = dict(exported)
    known.update(PROMETHEUS_SERIES)
    available = set(TARGET_LABELS)
    for name in sorted(metrics):
        if name not in known:
            problems.append("metric %s is not exported by log-capturer (nor made by Prometheus)" % name)
            continue
        available |= known[name]
        bad = sorted(matchers.get(name, set()) - known[name] - {"__name__"})
        if bad:
            problems.append("%s has no label %s (it has %s)" % (name, ", ".join(bad), ", ".join(sorted(known[name]))))
    bad = sorted(grouping - available)
    if bad:
        problems.append("grouping by %s, which none of %s has" % (", ".join(bad), ", ".join(sorted(metrics)) or "its series"))
    return problems


# --------------------------------------------------------------------------
# promtool
# --------------------------------------------------------------------------

def promtool():
    return shutil.which("promtool")


def promtool_check_expressions(exprs):
    """{name: error text} for each (name, expr) promtool rejects, validating
    each as a recording rule of its own rules file (one promtool run)."""
    tool = promtool()
    with tempfile.TemporaryDirectory(prefix="soak-promql-") as tmp:
        files = {}
        for i, (name, expr) in enumerate(exprs):
            path = os.path.join(tmp, "expr%03d.yml" % i)
            record = "soak_check:expr%03d" % i
            with open(path, "w", encoding="utf-8") as f:
                yaml.safe_dump({"groups": [{"name": "check", "rules": [{"record": record, "expr": expr}]}]}, f)
            files[path] = name
        run = subprocess.run([tool, "check", "rules", *files], capture_output=True, text=True, timeout=60)
        if run.returncode == 0:
            return {}
        failed = {}
        # promtool prints "Checking FILE" on stdout and, on stderr, one line
        # "FILE: LINE:COL: group ..., rule N, ...: REASON" per bad rule.
        for m in re.finditer(r"(/\S+?\.yml): (.*?)(?=\s*FAILED:|$)", run.stderr, flags=re.M):
            if m.group(1) in files:
                failed[files[m.group(1)]] = m.group(2).strip()
        if not failed:
            failed["(promtool)"] = (run.stdout + run.stderr).strip()
        return failed
