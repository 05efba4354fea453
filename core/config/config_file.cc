#include "core/config/config_file.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <stdexcept>
#include <utility>
#include <vector>

#include "common/yaml_value.h"
#include "common/echo_value.h"
#include "core/config/join_names.h"
#include "core/config/settings.h"
#include "core/config/validate_config.h"

namespace logcap {
namespace {

using leakbench::YamlDocument;
using leakbench::YamlField;
using leakbench::YamlValue;

// The keys under `prefix` ("sink" or "sink.file") without it.
std::vector<std::string_view> NamesUnder(std::string_view prefix) {
  std::vector<std::string_view> names;
  for (const Setting& s : AllSettings()) {
    if (s.key.size() > prefix.size() && s.key.starts_with(prefix) && s.key[prefix.size()] == '.') {
      names.push_back(s.key.substr(prefix.size() + 1));
    }
  }
  return names;
}

void ReadValue(const Setting& setting, const YamlValue& value, Config& config) {
  switch (setting.shape) {
    case SettingShape::kScalar:
      // The value's syntax is the setting's own, shared with its flag (settings.h).
      try {
        setting.set_scalar(config, value.Scalar(setting.expected));
      } catch (const std::invalid_argument& e) {
        value.Fail(e.what());
      }
      break;
    case SettingShape::kList:
      setting.set_list(config, value.StringList());
      break;
    case SettingShape::kMap:
      setting.set_map(config, value.StringMap());
      break;
  }
}

// A section ("docker") or a group of keys within one ("sink.file"): its
// settings, by their names under it, dotted ("file.keep") or nested.
void ReadSection(YamlDocument& doc, const YamlValue& node, Config& config) {
  if (node.IsNull()) return;  // "docker:" with nothing under it
  const std::string& section = node.path();
  std::vector<YamlField> fields;
  std::vector<std::string_view> groups;
  for (const std::string_view name : NamesUnder(section)) {
    const Setting* setting = FindSetting(section + "." + std::string(name));
    fields.push_back({name, [setting, &config](const YamlValue& v) { ReadValue(*setting, v, config); }});
    const std::size_t dot = name.find('.');
    if (dot != std::string_view::npos && std::find(groups.begin(), groups.end(), name.substr(0, dot)) == groups.end()) {
      groups.push_back(name.substr(0, dot));
    }
  }
  for (const std::string_view group : groups) {
    fields.push_back({group, [&doc, &config](const YamlValue& v) { ReadSection(doc, v, config); }});
  }
  doc.ReadMap(node, fields, "a map");
}

void ReadRoot(YamlDocument& doc, const YamlValue& root, Config& config) {
  if (root.IsNull()) return;  // an empty file changes nothing
  std::vector<YamlField> fields;
  for (const std::string_view section : SettingSections()) {
    fields.push_back({section, [&doc, &config](const YamlValue& v) { ReadSection(doc, v, config); }});
  }
  doc.ReadMap(root, fields, "a map with the sections " + JoinNames(SettingSections()));
}

std::string ReadWholeFile(const std::string& path) {
  struct Closer {
    void operator()(std::FILE* f) const { std::fclose(f); }
  };
  const std::unique_ptr<std::FILE, Closer> file(std::fopen(path.c_str(), "rb"));
  if (!file) {
    const int err = errno;
    throw ConfigError("cannot read config file " + leakbench::QuoteValue(path) + ": " + std::strerror(err));
  }
  std::string text;
  char buffer[8192];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, file.get())) > 0) text.append(buffer, n);
  if (std::ferror(file.get())) {
    const int err = errno;
    throw ConfigError("cannot read config file " + leakbench::QuoteValue(path) + ": " + std::strerror(err));
  }
  return text;
}

}  // namespace

Config ParseConfigText(std::string_view text, const std::string& name, Config base) {
  try {
    YamlDocument doc(name);
    ReadRoot(doc, doc.Load(std::string(text)), base);
    // Judge the result, but only for problems the file had a hand in.
    for (const ConfigProblem& problem : FindConfigProblems(base)) {
      for (const std::string& key : problem.keys) {
        if (doc.Has(key)) doc.Fail(doc.MarkOf(key), "", problem.ToString());
      }
    }
  } catch (const leakbench::YamlError& e) {
    throw ConfigError(e.what());
  }
  return base;
}

Config LoadConfigFile(const std::string& path, Config base) {
  return ParseConfigText(ReadWholeFile(path), path, std::move(base));
}

}  // namespace logcap
