// Converts a YAML value (a map, list or scalar) to JSON faithfully, scalars typed by common/yaml_value.h's rule.
// For settings passed on as JSON objects (the fake daemon's actions and
// faults): true/True/TRUE are booleans, yes/no/on/off stay strings, quoted
// scalars stay strings, decimal integers become JSON integers (those beyond
// 64 bits, and .inf/.nan, stay the text as written so a later check can
// name them), other numbers doubles. Throws YamlError (a key that is not a
// string). Pure function; thread-safe on distinct documents.
#pragma once

#include <nlohmann/json.hpp>

#include "common/yaml_value.h"

namespace leakbench {

nlohmann::json YamlToJson(const YamlValue& value);

}  // namespace leakbench
