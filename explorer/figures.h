// The figures of a sweep folder (figures/*.{dat,gp,pdf,svg}) and the
// gnuplot conventions every llamaf figure shares: a colour-blind-safe
// palette, fonts readable at single-column width (3.4 in), both PDF and SVG
// from one script, and only relative paths in the scripts (run from
// figures/: `cd figures && gnuplot NAME.gp` regenerates a figure anywhere).
#pragma once

#include "explorer/report.h"
#include "explorer/sweep.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace llamaf::dse {

// Okabe & Ito's eight colours (distinguishable under the common colour
// vision deficiencies), black last-but-one, yellow last (weak on white).
const std::vector<std::string>& figure_palette();
// The grey of grouped remainders ("other host ops").
inline constexpr const char* kFigureGrey = "#999999";

// The tail of every figure script: the PDF (3.4 in x `height_in`, 8 pt) and
// the SVG (same aspect) of the plot command `plot`, with relative names.
std::string figure_outputs(const std::string& stem, const std::string& plot, double height_in = 2.6);

// Runs `gnuplot SCRIPT` inside the script's folder; "" on success, else why.
std::string run_gnuplot(const std::string& gnuplot, const std::filesystem::path& script);

// Writes every figure of a sweep folder: scatter plots (the standard ones
// and report.figures), coloured and shaped by swept parameters with a legend
// and the Pareto front of the plotted metrics drawn as a line; the roofline
// (attained GMAC/s against operational intensity with the board's memory
// roofs and each design's compute roof); the per-token time breakdown
// (stacked bars in ms, keyed by parameter values). Figures without data are
// listed in `sum.figure_problems` with the reason.
void make_figures(const Sweep& sweep, const std::vector<nlohmann::json>& records,
                  const std::filesystem::path& dir, const ReportOptions& opt, ReportSummary& sum);

// The figures of the analytical screen (fidelity analytical/auto, from
// DIR/screen/): "cloud_tokens_lut" and "cloud_tokens_j", tokens/s against
// LUTs and against J/token: the screen's cloud sample as light grey dots,
// the analytical Pareto front of the two metrics as a black staircase, and
// the confirmed points at their cycle-accurate values (blue: from the
// front, vermillion: near it; open: misses timing or fit) joined by a
// dotted line to their analytical value (a small open circle). `records`: as the report shows them, the
// confirmed ones carrying "analytical".
void make_cloud_figures(const Sweep& sweep, const std::vector<nlohmann::json>& records,
                        const std::filesystem::path& dir, const ReportOptions& opt,
                        ReportSummary& sum);

// The parameters scatter figures colour and shape points by: the figure's
// (or style's) choice, else the two parameters with the most distinct
// values among `records` (at most 8 values, else the colours repeat);
// "" = none.
std::pair<std::string, std::string> figure_grouping(const Sweep& sweep,
                                                    const std::vector<nlohmann::json>& records,
                                                    const std::string& color_by,
                                                    const std::string& shape_by);

}  // namespace llamaf::dse
