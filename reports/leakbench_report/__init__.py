"""leakbench result.json -> HTML report, Markdown summary and noise-aware comparison."""
