"""The Grafana dashboard, its provisioning and the alert rules, checked without
Grafana: structure, data source uids, every PromQL expression parsed by
promtool, every metric and label name one that log-capturer really exports
(its source and a live /metrics dump, fixtures/log-capturer-metrics.txt).

    /usr/bin/python3 -m unittest discover -s soak/tests -p 'test_*.py'
"""

import os
import re
import unittest

import soak_common as c

# The panels a soak needs, by title, and a metric (or query text) each must use.
REQUIRED_PANELS = {
    "Active streams vs cap": ["log_capturer_container_streams_active", "$max_streams"],
    "Waiting containers": ["log_capturer_containers_waiting"],
    "Rotations per minute": ["log_capturer_container_stream_rotations_total"],
    "Stream age at close (heatmap)": ["log_capturer_container_stream_age_seconds_bucket"],
    "Stream age at close (quantiles)": ["log_capturer_container_stream_age_seconds_bucket"],
    "Stream errors by type (per minute)": ["log_capturer_container_stream_errors_total", "error_type"],
    "Threads": ["log_capturer_process_threads"],
    "Open fds": ["log_capturer_process_open_fds"],
    "Resident memory (RSS)": ["log_capturer_process_resident_memory_bytes"],
    "Lines captured per second": ["log_capturer_lines_total"],
    "Capture lag": ["log_capturer_capture_lag_seconds"],
    "Sink buffered bytes and refusals": ["log_capturer_sink_buffered_bytes", "log_capturer_sink_refusals_total"],
    "Captured lines (Loki)": ['job="log-capturer"'],
}

# Grafana's built-in interval variables, replaced before promtool sees an expression.
GRAFANA_INTERVALS = {"__rate_interval": "1m", "__interval": "1m", "__range": "1h", "__range_s": "3600"}


def dashboard():
    return c.load_json(c.DASHBOARD_FILE)


def all_panels(dash):
    """Every panel, those nested in collapsed rows included."""
    out = []
    for p in dash.get("panels", []):
        out.append(p)
        out.extend(p.get("panels", []))
    return out


def variable_values(dash):
    """{name: the value a variable has by default}: a textbox's text, a
    query variable's All value."""
    values = dict(GRAFANA_INTERVALS)
    for v in dash.get("templating", {}).get("list", []):
        if v["type"] in ("textbox", "constant", "custom"):
            values[v["name"]] = str(v["current"]["value"])
        elif v["type"] == "query":
            values[v["name"]] = v["allValue"] if v.get("includeAll") else str(v["current"]["value"])
        else:
            raise AssertionError("variable %s of type %s: no default known to the test" % (v["name"], v["type"]))
    return values


def substitute(expr, values):
    def repl(m):
        name = m.group(1) or m.group(2)
        if name not in values:
            raise KeyError(name)
        return values[name]
    return re.sub(r"\$\{(\w+)(?::\w+)?\}|\$(\w+)", repl, expr)


def provisioned_datasources():
    out = {}
    for path in c.yaml_files(c.DATASOURCES_DIR):
        for ds in c.load_yaml(path).get("datasources", []):
            out[ds["uid"]] = ds
    return out


def targets_of(dash, kind):
    """(panel title, refId, expr) of every query on a data source of kind."""
    sources = provisioned_datasources()
    out = []
    for p in all_panels(dash):
        for t in p.get("targets", []):
            uid = (t.get("datasource") or p.get("datasource") or {}).get("uid")
            if sources.get(uid, {}).get("type") == kind:
                out.append((p["title"], t["refId"], t["expr"]))
    return out


def loki_labels_of_sink():
    """The labels log-capturer's Loki sink puts on every stream: the
    configured ones (default in core/config/config.h) plus container_name and
    stream (core/sink/loki_sink.h)."""
    with open(os.path.join(c.REPO, "core", "config", "config.h"), encoding="utf-8") as f:
        m = re.search(r"loki_labels\s*=\s*\{(.*?)\};", f.read(), flags=re.S)
    assert m, "core/config/config.h: no loki_labels default"
    fixed = dict(re.findall(r'\{"([a-z_]+)",\s*"([^"]*)"\}', m.group(1)))
    return fixed, set(fixed) | {"container_name", "stream"}


class DashboardStructure(unittest.TestCase):
    def setUp(self):
        self.dash = dashboard()
        self.panels = all_panels(self.dash)

    def test_identity(self):
        self.assertEqual(self.dash["uid"], "leakbench-log-capturer")
        self.assertTrue(self.dash["title"])
        self.assertIsInstance(self.dash["schemaVersion"], int)
        self.assertNotIn("id", self.dash, "a provisioned dashboard must not carry a database id")

    def test_required_panels_exist_and_query_what_they_show(self):
        by_title = {p["title"]: p for p in self.panels}
        for title, needles in REQUIRED_PANELS.items():
            with self.subTest(panel=title):
                self.assertIn(title, by_title, "dashboard lacks the panel %r" % title)
                text = " ".join(t.get("expr", "") for t in by_title[title].get("targets", []))
                for needle in needles:
                    self.assertIn(needle, text, "panel %r does not query %s" % (title, needle))

    def test_heatmap_reads_buckets_as_a_heatmap(self):
        heat = [p for p in self.panels if p["type"] == "heatmap"]
        self.assertTrue(heat, "no heatmap panel")
        for p in heat:
            for t in p["targets"]:
                self.assertEqual(t.get("format"), "heatmap", "%s: target %s not format=heatmap" % (p["title"], t["refId"]))
                self.assertIn("by (le)", t["expr"])
            self.assertFalse(p["options"]["calculate"], "%s: buckets are already a histogram" % p["title"])

    def test_ids_unique_and_every_panel_placed(self):
        ids = [p.get("id") for p in self.panels]
        self.assertTrue(all(isinstance(i, int) for i in ids), "a panel without an integer id: %s" % ids)
        self.assertEqual(len(ids), len(set(ids)), "duplicate panel ids: %s" % sorted(i for i in ids if ids.count(i) > 1))
        boxes = []
        for p in self.panels:
            with self.subTest(panel=p["title"]):
                g = p.get("gridPos")
                self.assertIsNotNone(g, "no gridPos")
                for k in ("h", "w", "x", "y"):
                    self.assertIsInstance(g.get(k), int, "gridPos.%s" % k)
                self.assertGreater(g["w"], 0)
                self.assertGreater(g["h"], 0)
                self.assertLessEqual(g["x"] + g["w"], 24, "wider than the 24-column grid")
                boxes.append((p["title"], g))
        for i, (ta, a) in enumerate(boxes):
            for tb, b in boxes[i + 1:]:
                overlap = (a["x"] < b["x"] + b["w"] and b["x"] < a["x"] + a["w"] and
                           a["y"] < b["y"] + b["h"] and b["y"] < a["y"] + a["h"])
                self.assertFalse(overlap, "panels %r and %r overlap" % (ta, tb))

    def test_every_panel_and_query_uses_a_provisioned_datasource(self):
        sources = provisioned_datasources()
        for p in self.panels:
            if p["type"] == "row":
                continue
            with self.subTest(panel=p["title"]):
                ds = p.get("datasource")
                self.assertIsInstance(ds, dict, "no datasource")
                self.assertIn(ds.get("uid"), sources, "datasource uid %r is not provisioned (%s)" % (ds.get("uid"), sorted(sources)))
                self.assertEqual(ds.get("type"), sources[ds["uid"]]["type"])
                self.assertTrue(p.get("targets"), "no queries")
                for t in p["targets"]:
                    tds = t.get("datasource", ds)
                    self.assertIn(tds.get("uid"), sources, "target %s: datasource uid %r not provisioned" % (t["refId"], tds.get("uid")))
                    self.assertTrue(t.get("expr"), "target %s has no expression" % t["refId"])
                refs = [t["refId"] for t in p["targets"]]
                self.assertEqual(len(refs), len(set(refs)), "duplicate refIds")
        for v in self.dash["templating"]["list"]:
            if "datasource" in v:
                self.assertIn(v["datasource"]["uid"], sources, "variable %s" % v["name"])

    def test_every_panel_says_what_it_shows(self):
        for p in self.panels:
            if p["type"] != "row":
                self.assertGreater(len(p.get("description", "")), 40, "panel %r has no description" % p["title"])

    def test_variables_have_defaults(self):
        values = variable_values(self.dash)
        for name in ("container", "max_streams", "rotation_seconds"):
            self.assertIn(name, values)
        self.assertEqual(values["container"], ".*")


class DashboardQueries(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dash = dashboard()
        cls.values = variable_values(cls.dash)
        cls.exported = c.exported_series()

    def prom_exprs(self):
        return [("%s / %s" % (title, ref), substitute(expr, self.values))
                for title, ref, expr in targets_of(self.dash, "prometheus")]

    @unittest.skipUnless(c.promtool(), "promtool not installed (Debian: prometheus)")
    def test_promql_parses(self):
        exprs = self.prom_exprs()
        self.assertGreater(len(exprs), 20)
        variables = self.dash["templating"]["list"]
        for v in variables:
            if v["type"] == "query":
                exprs.append(("variable %s" % v["name"], re.sub(r"^label_values\((.*),\s*\w+\)$", r"\1", v["definition"])))
        failed = c.promtool_check_expressions(exprs)
        self.assertEqual(failed, {}, "promtool rejects:\n" + "\n".join("%s: %s" % kv for kv in failed.items()))

    def test_metric_and_label_names_are_exported(self):
        problems = []
        for name, expr in self.prom_exprs():
            problems += ["%s: %s" % (name, p) for p in c.check_references(expr, self.exported)]
        for v in self.dash["templating"]["list"]:
            if v["type"] == "query":
                m = re.match(r"label_values\((\w+),\s*(\w+)\)$", v["definition"])
                self.assertIsNotNone(m, "variable %s: %s" % (v["name"], v["definition"]))
                problems += ["variable %s: %s" % (v["name"], p)
                             for p in c.check_references("%s{%s=\"x\"}" % m.groups(), self.exported)]
        self.assertEqual(problems, [], "\n".join(problems))

    def test_loki_queries_select_the_sinks_labels(self):
        fixed, names = loki_labels_of_sink()
        exprs = targets_of(self.dash, "loki")
        self.assertTrue(exprs, "no Loki query")
        for title, ref, expr in exprs:
            with self.subTest(panel=title, ref=ref):
                expr = substitute(expr, self.values)
                m = re.match(r"\s*\{([^}]*)\}", expr)
                self.assertIsNotNone(m, "not a LogQL stream selector: %r" % expr)
                matchers = re.findall(r'([a-zA-Z_]\w*)\s*(=~|!~|!=|=)\s*"([^"]*)"', m.group(1))
                self.assertTrue(matchers)
                for label, op, value in matchers:
                    self.assertIn(label, names, "log-capturer's Loki streams carry only %s" % sorted(names))
                    if label in fixed and op == "=":
                        self.assertEqual(value, fixed[label], "the sink sets %s=%r" % (label, fixed[label]))
                self.assertTrue(any(op == "=" and v for _, op, v in matchers),
                                "Loki needs one matcher that cannot match an empty value")


class AlertRules(unittest.TestCase):
    def test_alert_expressions_use_exported_names(self):
        exported = dict(c.exported_series())
        problems = []
        all_rules = [r for g in c.load_yaml(c.ALERTS_FILE)["groups"] for r in g["rules"]]
        # Recording rules read exported series; alerts may read what they record.
        for r in (r for r in all_rules if "record" in r):
            problems += ["%s: %s" % (r["record"], p) for p in c.check_references(r["expr"], exported)]
            exported[r["record"]] = set()
        rules = [r for r in all_rules if "alert" in r]
        self.assertGreaterEqual(len(rules), 10)
        for r in rules:
            problems += ["%s: %s" % (r["alert"], p) for p in c.check_references(r["expr"], exported)]
            for key in ("summary", "description"):
                if not r.get("annotations", {}).get(key):
                    problems.append("%s: no %s" % (r["alert"], key))
            if r.get("labels", {}).get("severity") not in ("critical", "warning"):
                problems.append("%s: severity must be critical or warning" % r["alert"])
            if not r.get("labels", {}).get("criterion"):
                problems.append("%s: no criterion label" % r["alert"])
        self.assertEqual(problems, [], "\n".join(problems))

    def test_every_alert_has_a_unit_test(self):
        tested = set()
        for t in c.load_yaml(os.path.join(c.SOAK, "prometheus", "alerts_test.yml"))["tests"]:
            for a in t.get("alert_rule_test", []):
                if a.get("exp_alerts"):
                    tested.add(a["alertname"])
        names = {r["alert"] for g in c.load_yaml(c.ALERTS_FILE)["groups"] for r in g["rules"] if "alert" in r}
        self.assertEqual(sorted(names - tested), [], "alerts no test in alerts_test.yml makes fire")


class MetricsKnowledge(unittest.TestCase):
    """The two sources of 'what log-capturer exports' agree, and the checker
    rejects what it must (so the tests above can fail)."""

    def test_fixture_has_every_family_the_source_registers(self):
        types, _ = c.parse_exposition(c.METRICS_FIXTURE)
        source = c.source_metrics()
        self.assertGreaterEqual(len(source), 15, "parsed too few families from core/metrics: %s" % sorted(source))
        missing = sorted(n for n in source if n not in types and n not in c.INJECTION_ONLY)
        self.assertEqual(missing, [], "core/metrics registers families the fixture lacks: regenerate it "
                                      "(soak/tests/make_metrics_fixture.sh)")
        wrong = sorted(n for n, k in source.items() if n in types and types[n] != k)
        self.assertEqual(wrong, [], "type differs between source and fixture")
        stale = sorted(n for n in types if n.startswith("log_capturer_") and n not in source)
        self.assertEqual(stale, [], "the fixture has families core/metrics no longer registers: regenerate it")

    def test_fixture_is_a_real_scrape(self):
        with open(c.METRICS_FIXTURE, encoding="utf-8") as f:
            text = f.read()
        self.assertIn("make_metrics_fixture.sh", text.splitlines()[0])
        _, labels = c.parse_exposition(c.METRICS_FIXTURE)
        self.assertEqual(labels["log_capturer_lines_total"], {"container_id", "container_name"})
        self.assertEqual(labels["log_capturer_container_stream_errors_total"], {"error_type"})
        self.assertIn("le", labels["log_capturer_container_stream_age_seconds_bucket"])

    def test_checker_rejects_unknown_metrics_and_labels(self):
        exported = c.exported_series()
        self.assertEqual(c.check_references("rate(log_capturer_lines_total[1m])", exported), [])
        self.assertTrue(c.check_references("rate(log_capturer_line_total[1m])", exported))
        self.assertTrue(c.check_references('log_capturer_lines_total{container="x"}', exported))
        self.assertTrue(c.check_references("sum by (error) (log_capturer_container_stream_errors_total)", exported))
        self.assertTrue(c.check_references("log_capturer_container_stream_age_seconds", exported),
                        "a histogram's bare family name is not a series")
        self.assertEqual(c.check_references(
            'histogram_quantile(0.99, sum by (le) (rate(log_capturer_stream_wait_seconds_bucket[5m])))', exported), [])

    @unittest.skipUnless(c.promtool(), "promtool not installed (Debian: prometheus)")
    def test_promtool_check_rejects_bad_promql(self):
        failed = c.promtool_check_expressions([("good", "rate(x[1m])"), ("bad", "rate(x[1m]"), ("worse", "sum by (le (x)")])
        self.assertEqual(sorted(failed), ["bad", "worse"])


class Provisioning(unittest.TestCase):
    def setUp(self):
        self.compose = c.load_yaml(c.COMPOSE_FILE)
        self.grafana = self.compose["services"]["grafana"]

    def mount_target(self, source):
        for v in self.grafana["volumes"]:
            parts = v.split(":")
            if os.path.normpath(parts[0]) == os.path.normpath(source):
                return parts[1]
        self.fail("grafana does not mount %s" % source)

    def test_datasources(self):
        files = c.yaml_files(c.DATASOURCES_DIR)
        self.assertTrue(files)
        uids, types = [], {}
        services = self.compose["services"]
        for path in files:
            doc = c.load_yaml(path)
            self.assertEqual(doc.get("apiVersion"), 1, path)
            for ds in doc["datasources"]:
                uids.append(ds["uid"])
                types[ds["type"]] = ds
                m = re.match(r"http://([\w-]+):(\d+)$", ds["url"])
                self.assertIsNotNone(m, "%s: url %s" % (ds["name"], ds["url"]))
                self.assertIn(m.group(1), services, "%s points at no compose service" % ds["name"])
        self.assertEqual(len(uids), len(set(uids)), "duplicate datasource uids")
        self.assertEqual(set(types), {"prometheus", "loki"})
        self.assertTrue(types["prometheus"].get("isDefault"))
        self.assertEqual(types["prometheus"]["url"], "http://prometheus:9090")
        loki_port = c.load_yaml(c.LOKI_FILE)["server"]["http_listen_port"]
        self.assertEqual(types["loki"]["url"], "http://loki:%d" % loki_port)
        # $__rate_interval is computed from timeInterval: keep it the scrape interval
        jobs = {j["job_name"]: j for j in c.load_yaml(c.PROMETHEUS_FILE)["scrape_configs"]}
        self.assertEqual(types["prometheus"]["jsonData"]["timeInterval"], jobs["log-capturer"]["scrape_interval"])

    def test_dashboard_provider_points_at_the_mounted_folder(self):
        provisioning = self.mount_target("./soak/grafana/provisioning")
        self.assertEqual(provisioning, "/etc/grafana/provisioning")
        dashboards_at = self.mount_target("./soak/grafana/dashboards")
        files = c.yaml_files(c.DASHBOARD_PROVIDERS_DIR)
        self.assertTrue(files)
        for path in files:
            doc = c.load_yaml(path)
            self.assertEqual(doc.get("apiVersion"), 1, path)
            for prov in doc["providers"]:
                self.assertEqual(prov["type"], "file")
                self.assertEqual(prov["options"]["path"], dashboards_at,
                                 "%s: provider reads %s, compose mounts the dashboards at %s"
                                 % (path, prov["options"]["path"], dashboards_at))
        home = self.grafana["environment"]["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"]
        self.assertTrue(home.startswith(dashboards_at + "/"))
        self.assertTrue(os.path.isfile(os.path.join(c.SOAK, "grafana", "dashboards", home[len(dashboards_at) + 1:])),
                        "home dashboard %s is not in soak/grafana/dashboards" % home)

    def test_anonymous_viewer(self):
        env = self.grafana["environment"]
        self.assertEqual(env["GF_AUTH_ANONYMOUS_ENABLED"], "true")
        self.assertEqual(env["GF_AUTH_ANONYMOUS_ORG_ROLE"], "Viewer")


if __name__ == "__main__":
    unittest.main()
