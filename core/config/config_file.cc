#include "core/config/config_file.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <stdexcept>
#include <utility>
#include <vector>

#include "core/config/echo_value.h"
#include "core/config/join_names.h"
#include "core/config/settings.h"
#include "core/config/validate_config.h"

namespace logcap {
namespace {

std::string Describe(const YAML::Node& node) {
  if (node.IsNull()) return "nothing";
  if (node.IsSequence()) return "a list";
  if (node.IsMap()) return "a map";
  return QuoteValue(node.Scalar());
}

// Reads one document into a Config, remembering where each key was set.
class Reader {
 public:
  explicit Reader(std::string name) : name_(std::move(name)) {}

  [[noreturn]] void Fail(const YAML::Mark& mark, const std::string& what) const {
    std::string where = CutValue(name_);
    if (mark.line >= 0) {
      where += ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
    }
    throw ConfigError(where + ": " + what);
  }

  void ReadRoot(const YAML::Node& root, Config& config) {
    if (root.IsNull()) return;  // an empty file changes nothing
    const std::vector<std::string_view> sections = SettingSections();
    if (!root.IsMap()) {
      Fail(root.Mark(), "expected a map with the sections " + JoinNames(sections) + ", got " +
                            Describe(root));
    }
    ForEachKey(root, "", [&](const std::string& section, const YAML::Node& value) {
      if (std::find(sections.begin(), sections.end(), section) == sections.end()) {
        return false;
      }
      ReadSection(section, value, config);
      return true;
    }, "sections " + JoinNames(sections));
  }

  // Where each key's value is in the file.
  const std::map<std::string, YAML::Mark>& marks() const { return marks_; }

 private:
  // Calls `read(name, value)` for every entry of `map`; `read` returns false
  // for an unknown name. Rejects non-scalar and duplicate keys.
  template <typename Read>
  void ForEachKey(const YAML::Node& map, const std::string& prefix, Read read,
                  const std::string& known) {
    std::map<std::string, YAML::Mark> seen;
    for (const auto& entry : map) {
      const YAML::Node& key = entry.first;
      if (!key.IsScalar()) Fail(key.Mark(), "expected a key name, got " + Describe(key));
      const std::string full = prefix + key.Scalar();
      if (const auto it = seen.find(full); it != seen.end()) {
        Fail(key.Mark(), "duplicate key " + QuoteValue(full) + " (first set at line " +
                             std::to_string(it->second.line + 1) + ")");
      }
      seen.emplace(full, key.Mark());
      if (!read(key.Scalar(), entry.second)) {
        Fail(key.Mark(), "unknown key " + QuoteValue(full) + " (known " + known + ")");
      }
    }
  }

  void ReadSection(const std::string& section, const YAML::Node& node, Config& config) {
    if (node.IsNull()) return;  // "docker:" with nothing under it
    if (!node.IsMap()) Fail(node.Mark(), section + ": expected a map, got " + Describe(node));
    ForEachKey(node, section + ".", [&](const std::string& name, const YAML::Node& value) {
      const std::string key = section + "." + name;
      if (const Setting* setting = FindSetting(key)) {
        ReadValue(*setting, value, config);
        return true;
      }
      // A group of keys within the section ("sink: file: keep: 3").
      if (NamesUnder(key).empty()) return false;
      ReadSection(key, value, config);
      return true;
    }, "keys in " + section + ": " + JoinNames(NamesUnder(section)));
  }

  // The keys under `prefix` ("sink" or "sink.file") without it.
  static std::vector<std::string_view> NamesUnder(const std::string& prefix) {
    std::vector<std::string_view> names;
    for (const Setting& s : AllSettings()) {
      if (s.key.size() > prefix.size() && s.key.starts_with(prefix) && s.key[prefix.size()] == '.') {
        names.push_back(s.key.substr(prefix.size() + 1));
      }
    }
    return names;
  }

  void ReadValue(const Setting& setting, const YAML::Node& value, Config& config) {
    const std::string key(setting.key);
    marks_[key] = value.Mark();
    const auto wrong = [&](const YAML::Node& node) {
      Fail(node.Mark(), key + ": expected " + std::string(setting.expected) + ", got " +
                            Describe(node));
    };
    switch (setting.shape) {
      case SettingShape::kScalar:
        if (!value.IsScalar()) wrong(value);
        try {
          setting.set_scalar(config, value.Scalar());
        } catch (const std::invalid_argument& e) {
          Fail(value.Mark(), key + ": " + e.what());
        }
        break;
      case SettingShape::kList: {
        if (!value.IsSequence()) wrong(value);
        std::vector<std::string> list;
        for (const YAML::Node& item : value) {
          if (!item.IsScalar()) wrong(item);
          list.push_back(item.Scalar());
        }
        setting.set_list(config, std::move(list));
        break;
      }
      case SettingShape::kMap: {
        if (!value.IsMap()) wrong(value);
        std::map<std::string, std::string> map;
        ForEachKey(value, key + ".", [&](const std::string& name, const YAML::Node& item) {
          if (!item.IsScalar()) wrong(item);
          map[name] = item.Scalar();
          return true;
        }, "");
        setting.set_map(config, std::move(map));
        break;
      }
    }
  }

  std::string name_;
  std::map<std::string, YAML::Mark> marks_;
};

std::string ReadWholeFile(const std::string& path) {
  struct Closer {
    void operator()(std::FILE* f) const { std::fclose(f); }
  };
  const std::unique_ptr<std::FILE, Closer> file(std::fopen(path.c_str(), "rb"));
  if (!file) {
    const int err = errno;
    throw ConfigError("cannot read config file " + QuoteValue(path) + ": " + std::strerror(err));
  }
  std::string text;
  char buffer[8192];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, file.get())) > 0) text.append(buffer, n);
  if (std::ferror(file.get())) {
    const int err = errno;
    throw ConfigError("cannot read config file " + QuoteValue(path) + ": " + std::strerror(err));
  }
  return text;
}

}  // namespace

Config ParseConfigText(std::string_view text, const std::string& name, Config base) {
  Reader reader(name);
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::ParserException& e) {
    reader.Fail(e.mark, "not valid YAML: " + e.msg);
  }
  reader.ReadRoot(root, base);
  // Judge the result, but only for problems the file had a hand in.
  for (const ConfigProblem& problem : FindConfigProblems(base)) {
    for (const std::string& key : problem.keys) {
      if (const auto it = reader.marks().find(key); it != reader.marks().end()) {
        reader.Fail(it->second, problem.ToString());
      }
    }
  }
  return base;
}

Config LoadConfigFile(const std::string& path, Config base) {
  return ParseConfigText(ReadWholeFile(path), path, std::move(base));
}

}  // namespace logcap
