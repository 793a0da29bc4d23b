// Whole-file writes that a reader (or a crash) never sees half done: the
// results and reports of a sweep, point files, cache entries, the
// simulator's report and progress file. Shared by every writer in the
// project so that there is one definition of "written atomically".
#pragma once

#include <filesystem>
#include <string>

namespace llamaf {

// Writes `content` to a temporary file beside `path` (unique per process and
// call), fsyncs it, renames it over `path` and fsyncs the folder: readers
// see the old or the new file, never a mix.
void write_file_atomic(const std::filesystem::path& path, const std::string& content);

// Writes all of `data` to the open descriptor `fd` (retrying short writes
// and EINTR); `what` names the file in the error.
void write_all(int fd, const std::string& data, const std::string& what);

}  // namespace llamaf
