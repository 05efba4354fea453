"""ci/check_independence: core/ and fakes/ share no code; harness/ never includes the engine.

Runs the checker on the repository (it must pass) and on planted trees, one
per forbidden include, each of which it must catch.
"""
import tempfile
import unittest

from planted_tree import ROOT, PlantedTree, run_checker


def run(root):
    return run_checker("check_independence", root)


class Planted(PlantedTree):
    def setUp(self):
        super().setUp()
        self.write("common/duration.h", "#pragma once\n")
        self.write("core/engine/engine.cc", '#include "core/engine/engine.h"\n#include "common/duration.h"\n'
                   '#include <vector>\n#include "local.h"\n')
        self.write("core/tests/engine_fake_test.cc", '#include "fakes/tests/support/in_process_fake.h"\n')
        self.write("fakes/dockerd/server.cc", '#include "fakes/dockerd/server.h"\n')
        self.write("harness/scenario/scenario.cc", '#include "fakes/dockerd/faults.h"\n')

    def assertCaught(self, where):
        result = run(self.root)
        self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
        self.assertIn(where, result.stdout)

    def test_the_allowed_includes_pass(self):
        result = run(self.root)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)

    def test_core_including_the_fake_is_caught(self):
        self.write("core/docker/frame.cc", '// x\n#include "fakes/dockerd/log_encoder.h"\n')
        self.assertCaught("core/docker/frame.cc:2: core/ includes fakes/dockerd/log_encoder.h")

    def test_core_tests_may_use_only_the_fakes_test_support(self):
        self.write("core/tests/x_test.cc", '#include "fakes/dockerd/server.h"\n')
        self.assertCaught("core/tests/x_test.cc:1:")

    def test_the_fake_including_core_is_caught(self):
        self.write("fakes/tests/y_test.cc", '#include  "core/decode/frame_decoder.h"\n')
        self.assertCaught("fakes/tests/y_test.cc:1: fakes/ includes core/decode/frame_decoder.h")

    def test_the_harness_including_the_engine_is_caught(self):
        self.write("harness/run/judge.cc", '#include "core/metrics/engine_metrics.h"\n')
        self.assertCaught("harness/run/judge.cc:1:")

    def test_common_including_a_component_is_caught(self):
        self.write("common/x.h", '# include "harness/run/judge.h"\n')
        self.assertCaught("common/x.h:1:")

    def test_a_tree_without_the_components_is_a_usage_error(self):
        with tempfile.TemporaryDirectory() as empty:
            self.assertEqual(run(empty).returncode, 2)


class Repository(unittest.TestCase):
    def test_the_repository_keeps_the_rule(self):
        result = run(ROOT)
        self.assertEqual(result.returncode, 0, "\n" + result.stdout + result.stderr)


if __name__ == "__main__":
    unittest.main()
