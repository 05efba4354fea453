// Prometheus recording and alert rules that approximate a run's criteria (harness/run/criteria_table.cc) between runs, from the same bounds: what PromQL can express of growth, trend, stream cap, rotation and errors, with restarts reported and never called leaks.
// Growth is the difference of two adjacent windows' medians per minute (a
// single spike or scrape gap moves a median little; deriv() is ordinary
// least squares), trend the lowest value of the last window above the
// highest of the window two before; both are held back while a restart
// (exposer_scrapes_total going down) lies within their windows and the
// warm-up. Pure; thread-safe.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "harness/scenario/scenario.h"

namespace leakbench::harness {

// expr = measure + " " + op + " " + threshold + rest; kept apart so that a
// test can move the threshold (fire everywhere, or never) or drop the guard.
struct PromRule {
  std::string record{};  // a recording rule: its name (expr = measure)
  std::string alert{};   // an alert rule: its name
  std::string measure{};
  std::string op{};         // ">", ">=", "<" or "<=" ("" for a recording rule)
  std::string threshold{};  // a number
  std::string also{};       // " and ..." conditions after the comparison, or ""
  std::string guard{};      // " unless on (...) (a restart within the windows)", or ""
  std::string for_{};       // "5m", or ""
  std::vector<std::pair<std::string, std::string>> labels{};
  std::string summary{}, description{};

  std::string expr() const;
};

struct PromRuleGroup {
  std::string name;
  std::vector<PromRule> rules;
};

struct AlertRulesOptions {
  Scenario bounds;                           // criteria, warmup, target.rotation_interval, target.max_streams
  std::string selector = "{job=\"log-capturer\"}";
  std::vector<std::string> by = {"job", "instance"};  // the labels that name an instance
  double window_s = 1800;                    // the growth and trend windows
};

struct AlertRules {
  std::vector<PromRuleGroup> groups;
  std::vector<std::string> notes;  // criteria that could not be expressed, and why (also written as comments)
};

class AlertRulesError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// Throws AlertRulesError when a setting cannot make sense as a rule (a
// window under a minute, a bad selector).
AlertRules BuildAlertRules(const AlertRulesOptions& options);

// A Prometheus duration: whole seconds as "1h30m", "5m10s", "45s".
std::string PromDuration(double seconds);

}  // namespace leakbench::harness
