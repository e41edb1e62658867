// libsentencepiece side of the SentencePiece benchmark: encode every line of
// a corpus to ids with SentencePieceProcessor::Encode, single thread.
//   sp_bench MODEL CORPUS MIN_SECONDS  ->  "<MB/s> <lines> <bytes> <checksum>"
#include <sentencepiece_processor.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <time.h>
#include <vector>

// Process CPU time: robust when the machine is shared (equals wall time on an
// idle machine for this single-threaded loop).
static double now() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: sp_bench MODEL CORPUS MIN_SECONDS\n");
    return 2;
  }
  sentencepiece::SentencePieceProcessor sp;
  const auto status = sp.Load(argv[1]);
  if (!status.ok()) {
    std::fprintf(stderr, "sp_bench: %s\n", status.ToString().c_str());
    return 1;
  }
  std::ifstream in(argv[2], std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string all = ss.str();
  // Lines as the goldens define them: split on \n, a trailing \r dropped.
  std::vector<std::string> lines;
  size_t bytes = 0, start = 0;
  while (start < all.size()) {
    size_t end = all.find('\n', start);
    if (end == std::string::npos) end = all.size();
    std::string line = all.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    bytes += line.size();
    lines.push_back(std::move(line));
    start = end + 1;
  }
  const double min_seconds = std::atof(argv[3]);
  std::vector<int> ids;
  uint64_t checksum = 0;
  double best = 1e30;
  // Best of three timed passes, each repeating the corpus until min_seconds.
  for (int pass = 0; pass < 3; pass++) {
    int reps = 0;
    const double t0 = now();
    double elapsed = 0;
    do {
      for (const auto &line : lines) {
        ids.clear();
        sp.Encode(line, &ids);
        if (pass == 0 && reps == 0)
          for (int id : ids) checksum = checksum * 1000003u + static_cast<uint64_t>(id) + 1;
      }
      reps++;
      elapsed = now() - t0;
    } while (elapsed < min_seconds);
    if (elapsed / reps < best) best = elapsed / reps;
  }
  std::printf("%.2f %zu %zu %016llx\n", bytes / best / 1e6, lines.size(), bytes,
              static_cast<unsigned long long>(checksum));
  return 0;
}
