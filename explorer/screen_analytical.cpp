// The analytical model (analytical.h) as the screen's backend.
#include "explorer/analytical.h"
#include "explorer/resource_model.h"
#include "explorer/screen.h"

#include <cmath>
#include <limits>
#include <map>

namespace llamaf::dse {

namespace {

class AnalyticalBackend final : public ScreenBackend {
 public:
  AnalyticalBackend(EvalContext ctx, ResourceEstimator resources)
      : ctx_(std::move(ctx)), resources_(std::move(resources)) {}

  const std::vector<std::string>& metric_keys() const override { return analytical_metric_keys(); }

  // A context seen before (another screen with this backend) gets its
  // model back, with the memory ceilings it has measured.
  std::size_t add_context(const nlohmann::json& point) override {
    std::string key = point.dump();
    if (const auto it = by_point_.find(key); it != by_point_.end()) return it->second;
    models_.push_back(std::make_unique<AnalyticalModel>(point, ctx_, resources_));
    by_point_.emplace(std::move(key), models_.size() - 1);
    return models_.size() - 1;
  }

  void evaluate(std::size_t context, const sim::DesignParams& design,
                const std::vector<std::size_t>& slots, double* out) const override {
    const AnalyticalMetrics m = models_[context]->evaluate(design);
    const auto& keys = analytical_metric_keys();
    for (std::size_t i = 0; i < slots.size(); ++i) {
      if (slots[i] >= keys.size()) {
        out[i] = std::numeric_limits<double>::quiet_NaN();
        continue;
      }
      out[i] = analytical_metric(m, keys[slots[i]]).value_or(std::numeric_limits<double>::quiet_NaN());
    }
  }

  nlohmann::json metrics(std::size_t context, const sim::DesignParams& design) const override {
    return to_json(models_[context]->evaluate(design));
  }

 private:
  EvalContext ctx_;
  ResourceEstimator resources_;
  std::vector<std::unique_ptr<AnalyticalModel>> models_;
  std::map<std::string, std::size_t> by_point_;
};

}  // namespace

ResourceEstimator screen_resources(const Sweep& sweep, const std::filesystem::path& rtl_dir) {
  if (!screen_needs_resources(sweep)) return {};
  // Throws when the fit file is stale or missing: a screen on resources
  // fitted to other RTL would be silently wrong.
  const auto model =
      std::make_shared<const ResourceModel>(ResourceModel::load(default_resource_model_path(), rtl_dir));
  return [model](const sim::DesignParams& d) { return model->estimate(d); };
}

std::unique_ptr<ScreenBackend> make_analytical_backend(const EvalContext& ctx,
                                                       ResourceEstimator resources) {
  return std::make_unique<AnalyticalBackend>(ctx, std::move(resources));
}

}  // namespace llamaf::dse
