"""ci/check_stands_alone: the repository refers to nothing outside itself.

Runs the checker on the repository (it must be clean) and on small planted
trees, one per offence, each of which it must catch.
"""
import os
import unittest

from planted_tree import ROOT, PlantedTree, run_checker


def run(root):
    return run_checker("check_stands_alone", root)


class Planted(PlantedTree):
    def setUp(self):
        super().setUp()
        self.write("docs/design.md", "# Design\n")
        self.write("README.md", "See [the design](docs/design.md) and [a section](docs/design.md#parts).\n"
                   "[ref]: docs/design.md\n[web](https://example.com/x.md)\n")

    def assertCaught(self, rel, line, words):
        result = run(self.root)
        self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
        self.assertIn(f"{rel}:{line}: ", result.stdout)
        self.assertIn(words, result.stdout)

    def test_a_clean_tree_passes(self):
        result = run(self.root)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertEqual(result.stdout, "")

    def test_the_shared_folder_is_caught(self):
        self.write("core/README.md", "intro\nas said in `" + "../../" + "shared/" + "DES" + "IGN.md`\n")
        self.assertCaught("core/README.md", 2, "outside the repository")

    def test_an_input_named_in_a_comment_is_caught(self):
        self.write("core/x.cc", "// see " + "DOCKER-" + "SEMANTICS.md, frames\nint x;\n")
        self.assertCaught("core/x.cc", 1, "docs/docker-semantics.md")

    def test_a_machine_path_is_caught(self):
        self.write("bench/RESULTS.md", "\n\n    cd /" + "work/main && make\n")
        self.assertCaught("bench/RESULTS.md", 3, "developer's machine")

    def test_a_home_directory_is_caught(self):
        self.write("x.json", '{"file": "/' + 'home/alice/leakbench/s.yaml"}\n')
        self.assertCaught("x.json", 1, "developer's machine")

    def test_a_broken_relative_link_is_caught(self):
        self.write("fakes/README.md", "[semantics](../docs/docker-semantic.md)\n")
        self.assertCaught("fakes/README.md", 1, "does not exist")

    def test_a_broken_reference_link_is_caught(self):
        self.write("a.md", "text\n\n[design]: docs/missing.md\n")
        self.assertCaught("a.md", 3, "does not exist")

    def test_a_link_that_leaves_the_repository_is_caught(self):
        inside = os.path.basename(self.root)
        self.write("a.md", f"[me](../{inside}/README.md) is fine\n[up](../)\n")
        self.assertCaught("a.md", 2, "outside the repository")
        self.assertNotIn("a.md:1:", run(self.root).stdout)

    def test_links_in_code_are_not_links(self):
        self.write("a.md", "```\n[x](nowhere.md)\n```\n`[y](nowhere.md)`\n")
        self.assertEqual(run(self.root).returncode, 0)

    def test_build_trees_are_not_read(self):
        self.write("build/release/CMakeCache.txt", "/" + "work/main\n")
        self.assertEqual(run(self.root).returncode, 0)

    def test_lower_case_docs_and_tmp_paths_are_fine(self):
        self.write("a.md", "[d](docs/design.md) uses /tmp/leakbench-run.XXXXXX and /usr/bin/python3\n")
        self.assertEqual(run(self.root).returncode, 0)


class Repository(unittest.TestCase):
    def test_the_repository_stands_alone(self):
        result = run(ROOT)
        self.assertEqual(result.returncode, 0, "\n" + result.stdout + result.stderr)


if __name__ == "__main__":
    unittest.main()
