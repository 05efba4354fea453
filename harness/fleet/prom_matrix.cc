#include "harness/fleet/prom_matrix.h"

#include <cmath>
#include <cstdlib>
#include <exception>

#include <nlohmann/json.hpp>

namespace leakbench::harness {
namespace prom_matrix {

using json = nlohmann::json;

std::string Cut(const std::string& text, std::size_t n = 300) {
  return text.size() <= n ? text : text.substr(0, n) + "...";
}

bool SampleLimit(const std::string& text) {
  return text.find("too many samples") != std::string::npos ||
         text.find("exceeded maximum resolution") != std::string::npos ||
         text.find("max-samples") != std::string::npos || text.find("sample limit") != std::string::npos ||
         text.find("the query exceeded") != std::string::npos;  // Mimir: "the query exceeded the maximum number of ..."
}

PromError Classify(long status, const std::string& error_type, const std::string& error) {
  PromError e;
  e.status = status;
  e.message = error_type.empty() ? error : error_type + ": " + error;
  if (SampleLimit(error)) {
    e.kind = PromError::Kind::kSampleLimit;
  } else if (status == 401 || status == 403) {
    e.kind = PromError::Kind::kUnauthorized;
  } else if (status == 0 || status == 429 || status >= 500) {
    e.kind = PromError::Kind::kServer;
  } else if (status >= 400) {
    e.kind = PromError::Kind::kBadQuery;
  } else {
    e.kind = PromError::Kind::kBadAnswer;
  }
  return e;
}

double Value(const json& v) {
  if (v.is_string()) {
    const std::string& text = v.get_ref<const std::string&>();
    char* end = nullptr;
    const double d = std::strtod(text.c_str(), &end);
    if (end == text.c_str() || *end != '\0') throw std::runtime_error("value \"" + Cut(text, 40) + "\" is not a number");
    return d;
  }
  if (v.is_number()) return v.get<double>();
  throw std::runtime_error("a value is neither a string nor a number");
}

RangeSeries ReadSeries(const json& s) {
  RangeSeries out;
  if (!s.is_object()) throw std::runtime_error("a result entry is not an object");
  const auto metric = s.find("metric");
  if (metric != s.end()) {
    if (!metric->is_object()) throw std::runtime_error("`metric` is not an object");
    for (const auto& [k, v] : metric->items()) {
      if (!v.is_string()) throw std::runtime_error("label " + k + " is not a string");
      out.labels[k] = v.get<std::string>();
    }
  }
  const auto values = s.find("values");
  if (values == s.end() || !values->is_array()) throw std::runtime_error("a series has no `values` array");
  out.points.reserve(values->size());
  for (const auto& pair : *values) {
    if (!pair.is_array() || pair.size() != 2 || !pair[0].is_number()) {
      throw std::runtime_error("a value is not a [time, \"value\"] pair");
    }
    const double y = Value(pair[1]);
    if (std::isfinite(y)) out.points.push_back({pair[0].get<double>(), y});
  }
  return out;
}

}  // namespace prom_matrix

bool Retryable(const PromError& error) { return error.kind == PromError::Kind::kServer; }

std::variant<std::vector<RangeSeries>, PromError> ParseMatrixAnswer(long status, const std::string& body) {
  using prom_matrix::json;
  const json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    if (status != 200) {
      // A proxy's or load balancer's page, not Prometheus's JSON.
      return prom_matrix::Classify(status, "", "HTTP " + std::to_string(status) + ": " + prom_matrix::Cut(body));
    }
    return PromError{PromError::Kind::kBadAnswer, status,
                     "the answer is not JSON (is the URL a Prometheus HTTP API? it begins: " +
                         prom_matrix::Cut(body, 120) + ")"};
  }
  const std::string st = j.value("status", std::string());
  if (st != "success" || status != 200) {
    std::string error_type, error;
    if (j.contains("errorType") && j["errorType"].is_string()) error_type = j["errorType"].get<std::string>();
    if (j.contains("error") && j["error"].is_string()) error = j["error"].get<std::string>();
    if (error.empty()) error = "HTTP " + std::to_string(status) + ", status \"" + st + "\" without an error text";
    return prom_matrix::Classify(status == 200 ? 422 : status, error_type, error);
  }
  try {
    const auto data = j.find("data");
    if (data == j.end() || !data->is_object()) throw std::runtime_error("no `data` object");
    const std::string type = data->value("resultType", std::string());
    if (type != "matrix") throw std::runtime_error("resultType is \"" + type + "\", not matrix");
    const auto result = data->find("result");
    if (result == data->end() || !result->is_array()) throw std::runtime_error("no `data.result` array");
    std::vector<RangeSeries> series;
    series.reserve(result->size());
    for (const auto& s : *result) series.push_back(prom_matrix::ReadSeries(s));
    return series;
  } catch (const std::exception& e) {  // our own checks and nlohmann's type errors alike
    return PromError{PromError::Kind::kBadAnswer, status,
                     std::string("the answer is JSON but not a query_range matrix: ") + e.what()};
  }
}

std::string LabelsText(const Labels& labels) {
  std::string out = "{";
  for (const auto& [k, v] : labels) {
    if (out.size() > 1) out += ", ";
    out += k + "=\"" + v + "\"";
  }
  return out + "}";
}

}  // namespace leakbench::harness
