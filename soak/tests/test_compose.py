"""docker-compose.yml, soak/Dockerfile, soak/image-offline.sh and the health
check, checked without a Docker daemon: the files they name exist, the
settings that must agree do (ports, caps, rotation, labels, entrypoints), the
images are pinned, the Dockerfile's packages cover ci/setup's libraries and
the binaries' shared libraries, the health check works against a small HTTP
server.

    /usr/bin/python3 -m unittest discover -s soak/tests -p 'test_*.py'
"""

import http.server
import os
import re
import shlex
import shutil
import subprocess
import threading
import unittest

import soak_common as c

DOCKERFILE = os.path.join(c.SOAK, "Dockerfile")
OFFLINE = os.path.join(c.SOAK, "image-offline.sh")
BUILD_DIR = os.environ.get("LEAKBENCH_BUILD_DIR", os.path.join(c.REPO, "build", "release"))
BINARIES = ["core/app/log-capturer", "harness/run/leakbench", "fakes/fake-dockerd"]
# In debian:12-slim already.
BASE_IMAGE_PACKAGES = {"libc6", "libstdc++6", "libgcc-s1"}


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def compose_text():
    return read(c.COMPOSE_FILE)


def compose():
    return c.load_yaml(c.COMPOSE_FILE)


def capturer_flags():
    """log-capturer's command in docker-compose.yml, defaults filled in: {flag: value}."""
    flags = {}
    for arg in compose()["services"]["log-capturer"]["command"]:
        arg = c.interpolate_defaults(arg)
        m = re.match(r"(--[a-z-]+)=(.*)$", arg)
        assert m, "log-capturer command argument %r is not --flag=value" % arg
        flags[m.group(1)] = m.group(2)
    return flags


def dockerfile_stages():
    """[(stage header, [instructions with continuation lines joined])]."""
    stages = []
    for line in re.sub(r"\\\n", " ", read(DOCKERFILE)).splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.upper().startswith("FROM "):
            stages.append((line, []))
        else:
            stages[-1][1].append(line)
    return stages


def apt_packages(instructions):
    pkgs = set()
    for ins in instructions:
        m = re.search(r"apt-get install ([^&]*)", ins)
        if m:
            pkgs.update(w for w in m.group(1).split() if not w.startswith("-"))
    return pkgs


def final_stage_config():
    """{ENTRYPOINT, CMD, USER, ENV, EXPOSE} of the Dockerfile's runtime stage, normalised."""
    _, ins = dockerfile_stages()[-1]
    out = {"ENV": set()}
    for i in ins:
        key, _, rest = i.partition(" ")
        key = key.upper()
        if key == "ENV":
            out["ENV"].add(rest.strip())
        elif key in ("ENTRYPOINT", "CMD", "USER", "EXPOSE", "WORKDIR"):
            out[key] = rest.strip()
    return out


def offline_changes():
    """{ENTRYPOINT, CMD, USER, ENV, EXPOSE} that image-offline.sh gives docker import."""
    out = {"ENV": set()}
    for change in re.findall(r"--change '([^']*)'", read(OFFLINE)):
        key, _, rest = change.partition(" ")
        if key == "ENV":
            out["ENV"].add(rest.strip())
        else:
            out[key] = rest.strip()
    return out


class ComposeFiles(unittest.TestCase):
    def test_repo_paths_mounted_exist_and_named_volumes_are_declared(self):
        doc = compose()
        declared = set(doc.get("volumes") or {})
        for name, svc in doc["services"].items():
            for v in svc.get("volumes", []):
                source = c.interpolate_defaults(v).split(":")[0]
                with self.subTest(service=name, volume=v):
                    if source.startswith("."):
                        path = os.path.normpath(os.path.join(c.REPO, source))
                        self.assertTrue(os.path.exists(path), "%s mounts %s, which is not in the repo" % (name, source))
                    elif source.startswith("/"):
                        # host paths: only the Docker socket, read-only
                        self.assertEqual(v, "/var/run/docker.sock:/var/run/docker.sock:ro")
                    else:
                        self.assertIn(source, declared, "named volume %s is not declared" % source)

    def test_build_context_files_exist(self):
        for name, svc in compose()["services"].items():
            if "build" in svc:
                with self.subTest(service=name):
                    ctx = os.path.join(c.REPO, svc["build"]["context"])
                    self.assertTrue(os.path.isfile(os.path.join(ctx, svc["build"]["dockerfile"])))
        for ins in [i for _, stage in dockerfile_stages() for i in stage]:
            if ins.startswith("COPY ") and "--from=" not in ins:
                for src in shlex.split(ins)[1:-1]:
                    with self.subTest(copy=src):
                        self.assertTrue(os.path.exists(os.path.join(c.REPO, src)), "Dockerfile copies %s, not in the repo" % src)

    def test_dockerignore_lets_every_copied_path_through(self):
        path = os.path.join(c.REPO, ".dockerignore")
        lines = [l.strip() for l in read(path).splitlines() if l.strip() and not l.startswith("#")]
        self.assertEqual(lines[0], "*", "%s: expected an allow-list (first line *)" % path)
        allowed = {l[1:].rstrip("/") for l in lines if l.startswith("!")}
        for ins in [i for _, stage in dockerfile_stages() for i in stage]:
            if ins.startswith("COPY ") and "--from=" not in ins:
                for src in shlex.split(ins)[1:-1]:
                    with self.subTest(copy=src):
                        self.assertTrue(src in allowed or src.split("/")[0] in allowed,
                                        "%s keeps %s (copied by soak/Dockerfile) out of the build context" % (path, src))

    def test_images_are_pinned(self):
        for name, svc in compose()["services"].items():
            with self.subTest(service=name):
                image = svc.get("image", "")
                self.assertRegex(image, r"^[\w./-]+:[\w.-]+$", "%s: image %r has no tag" % (name, image))
                self.assertFalse(image.endswith(":latest"), "%s: pin a version, not latest" % name)

    def test_judged_soak_is_behind_a_profile_and_its_scenario_exists(self):
        soak = compose()["services"]["leakbench-soak"]
        self.assertEqual(soak.get("profiles"), ["soak"])
        self.assertEqual(soak["image"], compose()["services"]["log-capturer"]["image"])
        self.assertNotIn("/var/run/docker.sock", " ".join(soak.get("volumes", [])), "leakbench needs no Docker socket")
        scenario = c.interpolate_defaults(soak["command"][0])
        self.assertTrue(os.path.isfile(os.path.join(c.REPO, "scenarios", scenario + ".yaml")), scenario)

    def test_in_image_paths_exist_in_both_images(self):
        doc = compose()
        paths = {doc["services"]["leakbench-soak"]["entrypoint"][0],
                 doc["services"]["log-capturer"]["healthcheck"]["test"][1]}
        dockerfile, offline = read(DOCKERFILE), read(OFFLINE)
        for p in paths:
            with self.subTest(path=p):
                self.assertRegex(dockerfile, r"COPY \S+ " + re.escape(p) + r"\n", "Dockerfile does not install %s" % p)
                self.assertIn('"$root/' + p.lstrip("/") + '"', offline, "image-offline.sh does not install %s" % p)


class SettingsAgree(unittest.TestCase):
    def test_stream_cap(self):
        cap = int(capturer_flags()["--max-streams"])
        alerts = read(c.ALERTS_FILE)
        m = re.search(r"log_capturer_container_streams_active(?:\{[^}]*\})? > (\d+)", alerts)
        self.assertEqual(int(m.group(1)), cap, "LogCapturerStreamsAboveCap threshold vs LOG_CAPTURER_MAX_STREAMS default")
        self.assertIn("max_streams (%d)" % cap, alerts)
        dash = c.load_json(c.DASHBOARD_FILE)
        var = {v["name"]: v for v in dash["templating"]["list"]}["max_streams"]
        self.assertEqual(int(var["current"]["value"]), cap, "dashboard variable max_streams default")

    def test_rotation_interval(self):
        seconds = c.duration_seconds(capturer_flags()["--rotation-interval"])
        # alerts.yml (generated from soak/prometheus/bounds.yaml) assumes a healthy
        # stream closes before 360 s and rotates within LogCapturerNoRotations' 15 m window
        self.assertLessEqual(seconds + 10, 360)
        self.assertLess(seconds, 15 * 60 / 2)
        dash = c.load_json(c.DASHBOARD_FILE)
        var = {v["name"]: v for v in dash["templating"]["list"]}["rotation_seconds"]
        self.assertEqual(float(var["current"]["value"]), seconds, "dashboard variable rotation_seconds default")

    def test_metrics_port(self):
        doc = compose()
        svc = doc["services"]["log-capturer"]
        port = capturer_flags()["--metrics-listen"].rsplit(":", 1)[1]
        self.assertTrue(capturer_flags()["--metrics-listen"].startswith("0.0.0.0:"), "Prometheus scrapes from another container")
        jobs = {j["job_name"]: j for j in c.load_yaml(c.PROMETHEUS_FILE)["scrape_configs"]}
        self.assertEqual(jobs["log-capturer"]["static_configs"][0]["targets"], ["log-capturer:%s" % port])
        self.assertEqual(svc["healthcheck"]["test"][2], "127.0.0.1:%s" % port)
        self.assertIn(":%s:%s" % (port, port), " ".join(c.interpolate_defaults(p) for p in svc["ports"]))

    def test_sink_is_the_loki_service(self):
        sink = capturer_flags()["--sink"]
        port = c.load_yaml(c.LOKI_FILE)["server"]["http_listen_port"]
        self.assertEqual(sink, "loki:http://loki:%d" % port)
        self.assertIn("loki", compose()["services"])

    def test_stack_services_are_excluded_from_capture(self):
        key, _, value = capturer_flags()["--exclude-label"].partition("=")
        for name, svc in compose()["services"].items():
            with self.subTest(service=name):
                labels = svc.get("labels", {})
                if name in ("prometheus", "loki", "grafana"):
                    self.assertEqual(labels.get(key), value, "%s should carry %s=%s" % (name, key, value))
                else:
                    self.assertNotIn(key, labels)

    def test_socket_group_is_required(self):
        group_add = compose()["services"]["log-capturer"]["group_add"]
        self.assertEqual(len(group_add), 1)
        self.assertTrue(group_add[0].startswith("${DOCKER_GID:?"), "DOCKER_GID must be required, with a message")


@unittest.skipUnless(shutil.which("docker-compose"), "docker-compose not installed (Debian: docker-compose)")
class ComposeConfig(unittest.TestCase):
    def run_config(self, env_extra):
        env = {k: v for k, v in os.environ.items() if k not in ("DOCKER_GID", "COMPOSE_FILE", "COMPOSE_PROFILES")}
        env.update(env_extra)
        return subprocess.run(["docker-compose", "-f", c.COMPOSE_FILE, "config", "-q"], cwd=c.REPO, env=env,
                              capture_output=True, text=True, timeout=60)

    def test_valid_with_docker_gid(self):
        run = self.run_config({"DOCKER_GID": "999"})
        self.assertEqual(run.returncode, 0, run.stderr)

    def test_without_docker_gid_says_how_to_set_it(self):
        run = self.run_config({})
        self.assertNotEqual(run.returncode, 0)
        self.assertIn("stat -c %g /var/run/docker.sock", run.stderr)


class Dockerfile(unittest.TestCase):
    def test_two_stages_from_debian_12(self):
        stages = dockerfile_stages()
        self.assertEqual([s[0] for s in stages], ["FROM debian:12 AS build", "FROM debian:12-slim"])
        build = " ".join(stages[0][1])
        self.assertIn("cmake --preset release", build)
        self.assertIn("--target log-capturer leakbench fake-dockerd", build)

    def test_build_stage_has_ci_setups_libraries(self):
        setup = read(os.path.join(c.REPO, "ci", "setup"))
        block = re.search(r"packages=\((.*?)\n\)", setup, flags=re.S).group(1)
        wanted, section = set(), None
        for line in block.splitlines():
            line = line.strip()
            if line.startswith("#"):
                section = line
                continue
            if section and ("librar" in section or "toolchain" in section):
                wanted.update(w for w in line.split() if w != "git")
        self.assertIn("libcurl4-openssl-dev", wanted, "could not read ci/setup's library list")
        have = apt_packages(dockerfile_stages()[0][1])
        need = {p for p in wanted if not re.match(r"lib(gtest|gmock|benchmark)-dev$", p)}
        self.assertEqual(sorted(need - have), [], "ci/setup builds with packages the Dockerfile's build stage lacks")

    def test_runtime_stage_has_the_binaries_shared_libraries(self):
        missing_bins = [b for b in BINARIES if not os.path.isfile(os.path.join(BUILD_DIR, b))]
        if missing_bins or not shutil.which("dpkg") or not shutil.which("readelf"):
            self.skipTest("needs the built binaries in %s, readelf and dpkg" % BUILD_DIR)
        have = apt_packages(dockerfile_stages()[-1][1]) | BASE_IMAGE_PACKAGES
        need, owner = {}, {}
        for b in BINARIES:
            path = os.path.join(BUILD_DIR, b)
            dyn = subprocess.run(["readelf", "-d", path], capture_output=True, text=True, check=True).stdout
            ldd = subprocess.run(["ldd", path], capture_output=True, text=True, check=True).stdout
            resolved = dict(re.findall(r"^\s*(\S+) => (/\S+)", ldd, flags=re.M))
            for soname in re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", dyn):
                lib = resolved[soname]
                if lib in owner:
                    need.setdefault(owner[lib], set()).add("%s (%s)" % (soname, os.path.basename(b)))
                    continue
                candidates = [lib, os.path.realpath(lib)]
                candidates += ["/usr" + p for p in candidates if not p.startswith("/usr/")]
                pkg = None
                for cand in candidates:
                    run = subprocess.run(["dpkg", "-S", cand], capture_output=True, text=True)
                    if run.returncode == 0:
                        pkg = run.stdout.split(":")[0].strip()
                        break
                self.assertIsNotNone(pkg, "%s: no Debian package owns %s" % (b, lib))
                owner[lib] = pkg
                need.setdefault(pkg, set()).add("%s (%s)" % (soname, os.path.basename(b)))
        missing = {p: sorted(w) for p, w in need.items() if p not in have}
        self.assertEqual(missing, {}, "the runtime stage lacks packages the binaries link against")

    def test_offline_image_matches_the_dockerfile(self):
        df, off = final_stage_config(), offline_changes()
        for key in ("ENTRYPOINT", "CMD", "USER", "EXPOSE"):
            with self.subTest(key=key):
                self.assertEqual(off.get(key), df.get(key), "%s differs between soak/Dockerfile and image-offline.sh" % key)
        self.assertTrue(df["ENV"] <= off["ENV"], "ENV of the Dockerfile missing in image-offline.sh: %s" % (df["ENV"] - off["ENV"]))
        self.assertEqual(df["USER"], "10001:10001")


class HealthCheck(unittest.TestCase):
    """soak/healthcheck.sh against a small HTTP server on an ephemeral port."""

    script = os.path.join(c.SOAK, "healthcheck.sh")

    def serve(self, status, body):
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(status)
                self.send_header("Content-Type", "text/plain; version=0.0.4")
                self.end_headers()
                self.wfile.write(body.encode())

            def log_message(self, *args):
                pass

        server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        return "127.0.0.1:%d" % server.server_port

    def check(self, addr):
        return subprocess.run(["bash", self.script, addr], capture_output=True, text=True, timeout=20)

    def test_healthy(self):
        with open(c.METRICS_FIXTURE, encoding="utf-8") as f:
            addr = self.serve(200, f.read())
        run = self.check(addr)
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
        self.assertIn("healthy: %s log_capturer_process_threads" % addr, run.stdout)

    def test_unhealthy(self):
        for status, body, why in [(200, "some_other_metric 1\n", "no log_capturer_process_threads"),
                                  (500, "log_capturer_process_threads 6\n", "answered 'HTTP/1.0 500")]:
            with self.subTest(status=status):
                run = self.check(self.serve(status, body))
                self.assertEqual(run.returncode, 1, run.stdout)
                self.assertIn(why, run.stdout)

    def test_nothing_listening(self):
        addr = self.serve(200, "")
        port = int(addr.rsplit(":", 1)[1])
        self.doCleanups()  # closes the server: the port is free now
        run = self.check("127.0.0.1:%d" % port)
        self.assertEqual(run.returncode, 1)
        self.assertIn("cannot connect", run.stdout)

    def test_scripts_parse(self):
        for script in ("healthcheck.sh", "leakbench-soak.sh", "image-offline.sh", "check",
                       "tests/image_real_daemon_test.sh", "tests/make_metrics_fixture.sh"):
            with self.subTest(script=script):
                path = os.path.join(c.SOAK, script)
                self.assertTrue(os.access(path, os.X_OK), "%s is not executable" % script)
                run = subprocess.run(["bash", "-n", path], capture_output=True, text=True)
                self.assertEqual(run.returncode, 0, run.stderr)


if __name__ == "__main__":
    unittest.main()
