// A libFuzzer-compatible driver for builds without libFuzzer (gcc, ASan/UBSan builds). It first
// replays every seed file, then runs a fixed number of deterministic mutations of them. This is
// a regression and smoke test, not coverage-guided fuzzing: for that, build with -DSPIRE_FUZZ=ON
// and clang (README.md).
//
// Usage: <target> [--iterations=N] [--seed=S] [--max-len=N] [--dict=FILE] <file-or-dir>...
// A failing input is written to ./fuzz-crash-input; pass that file alone to replay it.

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
// Present in ASan/UBSan builds only; lets us save the input when a sanitizer kills the process.
extern "C" void __sanitizer_set_death_callback(void (*callback)()) __attribute__((weak));

namespace {

using Bytes = std::string;

struct Options {
  std::uint64_t iterations = 20000;
  std::uint64_t seed = 1;
  std::size_t max_len = 4096;
  std::vector<std::string> dict_files;
  std::vector<std::string> inputs;
};

bool readFile(const std::filesystem::path& path, Bytes& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return false;
  }
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return true;
}

// The input being run, so that a crash can be saved for replay. Plain globals: they are read
// from a signal handler, which may only call async-signal-safe functions.
const uint8_t* g_current = nullptr;
std::size_t g_current_size = 0;
constexpr char kCrashFile[] = "fuzz-crash-input";

void saveCurrentInput() {
  static volatile std::sig_atomic_t saved = 0;
  if (saved != 0 || g_current == nullptr) {
    return;
  }
  saved = 1;
  int fd = ::open(kCrashFile, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd >= 0) {
    std::size_t done = 0;
    while (done < g_current_size) {
      ssize_t n = ::write(fd, g_current + done, g_current_size - done);
      if (n <= 0) {
        break;
      }
      done += static_cast<std::size_t>(n);
    }
    ::close(fd);
    constexpr char kMsg[] = "fuzz driver: failing input saved to ./fuzz-crash-input\n";
    (void)!::write(2, kMsg, sizeof kMsg - 1);
  }
}

void onFatalSignal(int sig) {
  saveCurrentInput();
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

// Runs one input from an exactly sized heap copy, so that ASan sees a read one past the end.
void runOne(const Bytes& input) {
  std::unique_ptr<uint8_t[]> copy(new uint8_t[input.size() + (input.empty() ? 1 : 0)]);
  std::memcpy(copy.get(), input.data(), input.size());
  g_current = copy.get();
  g_current_size = input.size();
  LLVMFuzzerTestOneInput(copy.get(), input.size());
  g_current = nullptr;
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

// Reads an AFL/libFuzzer dictionary: one `"token"` (optionally `name="token"`) per line, with
// \\, \" and \xNN escapes; '#' starts a comment line.
bool loadDictionary(const std::string& path, std::vector<Bytes>& tokens) {
  std::ifstream in(path);
  if (!in) {
    return false;
  }
  std::string line;
  while (std::getline(in, line)) {
    std::size_t first = line.find('"');
    std::size_t last = line.rfind('"');
    std::size_t hash = line.find_first_not_of(" \t");
    if (hash != std::string::npos && line[hash] == '#') {
      continue;
    }
    if (first == std::string::npos || last <= first) {
      continue;
    }
    Bytes token;
    for (std::size_t i = first + 1; i < last; ++i) {
      if (line[i] == '\\' && i + 1 < last) {
        char next = line[i + 1];
        if (next == 'x' && i + 3 < last && hexValue(line[i + 2]) >= 0 &&
            hexValue(line[i + 3]) >= 0) {
          token += static_cast<char>(hexValue(line[i + 2]) * 16 + hexValue(line[i + 3]));
          i += 3;
          continue;
        }
        token += next;
        ++i;
        continue;
      }
      token += line[i];
    }
    if (!token.empty()) {
      tokens.push_back(std::move(token));
    }
  }
  return true;
}

// Deterministic mutations in the spirit of libFuzzer's MutationDispatcher.
class Mutator {
public:
  Mutator(std::uint64_t seed, std::size_t max_len, std::vector<Bytes> dict)
      : rng_(seed), max_len_(max_len), dict_(std::move(dict)) {}

  Bytes mutate(const Bytes& base, const std::vector<Bytes>& pool) {
    Bytes out = base;
    int rounds = 1 + static_cast<int>(below(4));
    for (int r = 0; r < rounds; ++r) {
      mutateOnce(out, pool);
    }
    if (out.size() > max_len_) {
      out.resize(max_len_);
    }
    return out;
  }

  std::size_t below(std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(rng_() % n); }

private:
  // Bytes that matter to the grammars we parse, tried more often than chance would.
  static constexpr char kInterestingBytes[] = "\0/.:%@?#[]{}\",=\\-_ Az09\n\x7f\x80\xff";
  static constexpr std::string_view kInteresting{kInterestingBytes, sizeof kInterestingBytes - 1};

  char randomByte() {
    if (below(2) == 0) {
      return kInteresting[below(kInteresting.size())];
    }
    return static_cast<char>(below(256));
  }

  void mutateOnce(Bytes& out, const std::vector<Bytes>& pool) {
    switch (below(10)) {
    case 0: // flip a bit
      if (!out.empty()) {
        out[below(out.size())] ^= static_cast<char>(1u << below(8));
      }
      break;
    case 1: // overwrite a byte
      if (!out.empty()) {
        out[below(out.size())] = randomByte();
      }
      break;
    case 2: // insert a byte
      out.insert(out.begin() + static_cast<std::ptrdiff_t>(below(out.size() + 1)), randomByte());
      break;
    case 3: { // delete a range
      if (out.empty()) {
        break;
      }
      std::size_t pos = below(out.size());
      out.erase(pos, 1 + below(std::min<std::size_t>(8, out.size() - pos)));
      break;
    }
    case 4: { // duplicate a chunk in place
      if (out.empty()) {
        break;
      }
      std::size_t pos = below(out.size());
      std::size_t len = 1 + below(std::min<std::size_t>(64, out.size() - pos));
      out.insert(pos, out.substr(pos, len));
      break;
    }
    case 5: { // splice: our head with another input's tail
      const Bytes& other = pool[below(pool.size())];
      out = out.substr(0, below(out.size() + 1)) + other.substr(below(other.size() + 1));
      break;
    }
    case 6: // truncate
      out.resize(below(out.size() + 1));
      break;
    case 7: // insert a dictionary token, or a chunk of another input
      if (!dict_.empty() && below(3) != 0) {
        out.insert(below(out.size() + 1), dict_[below(dict_.size())]);
      } else {
        const Bytes& other = pool[below(pool.size())];
        std::size_t pos = below(other.size() + 1);
        out.insert(below(out.size() + 1), other.substr(pos, 1 + below(32)));
      }
      break;
    case 8: { // repeat a chunk: a few times usually, now and then up to the length limit
      if (out.empty()) {
        break;
      }
      std::size_t pos = below(out.size());
      Bytes chunk = out.substr(pos, 1 + below(std::min<std::size_t>(16, out.size() - pos)));
      std::size_t most = below(4) == 0 ? max_len_ / chunk.size() : 8;
      std::size_t copies = 1 + below(most);
      Bytes grown;
      for (std::size_t i = 0; i < copies; ++i) {
        grown += chunk;
      }
      out.insert(pos, grown);
      break;
    }
    default: // swap two bytes
      if (out.size() >= 2) {
        std::swap(out[below(out.size())], out[below(out.size())]);
      }
      break;
    }
  }

  std::mt19937_64 rng_;
  std::size_t max_len_;
  std::vector<Bytes> dict_;
};

bool parseArgs(int argc, char** argv, Options& options) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    auto number = [&](std::string_view prefix, auto& target) {
      if (!arg.starts_with(prefix)) {
        return false;
      }
      target = static_cast<std::remove_reference_t<decltype(target)>>(
          std::strtoull(std::string(arg.substr(prefix.size())).c_str(), nullptr, 10));
      return true;
    };
    if (number("--iterations=", options.iterations) || number("--seed=", options.seed) ||
        number("--max-len=", options.max_len)) {
      continue;
    }
    if (arg.starts_with("--dict=")) {
      options.dict_files.emplace_back(arg.substr(7));
      continue;
    }
    if (arg.starts_with("-")) {
      std::fprintf(stderr, "unknown option %s\n", argv[i]);
      return false;
    }
    options.inputs.emplace_back(arg);
  }
  return true;
}

} // namespace

int main(int argc, char** argv) {
  Options options;
  if (!parseArgs(argc, argv, options)) {
    return 2;
  }
  std::vector<Bytes> seeds;
  for (const std::string& input : options.inputs) {
    std::filesystem::path path(input);
    std::vector<std::filesystem::path> files;
    if (std::filesystem::is_directory(path)) {
      for (const auto& entry : std::filesystem::directory_iterator(path)) {
        if (entry.is_regular_file()) {
          files.push_back(entry.path());
        }
      }
      std::sort(files.begin(), files.end()); // directory order is not deterministic
    } else {
      files.push_back(path);
    }
    for (const auto& file : files) {
      Bytes bytes;
      if (!readFile(file, bytes)) {
        std::fprintf(stderr, "cannot read %s\n", file.c_str());
        return 2;
      }
      seeds.push_back(std::move(bytes));
    }
  }
  std::vector<Bytes> dict;
  for (const std::string& file : options.dict_files) {
    if (!loadDictionary(file, dict)) {
      std::fprintf(stderr, "cannot read dictionary %s\n", file.c_str());
      return 2;
    }
  }

  std::signal(SIGABRT, onFatalSignal);
  std::signal(SIGSEGV, onFatalSignal);
  std::signal(SIGBUS, onFatalSignal);
  std::signal(SIGFPE, onFatalSignal);
  if (__sanitizer_set_death_callback != nullptr) {
    __sanitizer_set_death_callback(saveCurrentInput);
  }

  runOne(Bytes()); // the empty input is always worth a try
  for (const Bytes& seed : seeds) {
    runOne(seed);
  }
  if (seeds.empty()) {
    seeds.emplace_back();
  }

  // Mutants are kept in a small ring so that mutations can stack across iterations.
  constexpr std::size_t kRecent = 64;
  std::vector<Bytes> pool = seeds;
  std::size_t ring_next = 0;
  Mutator mutator(options.seed, options.max_len, std::move(dict));
  for (std::uint64_t i = 0; i < options.iterations; ++i) {
    const Bytes& base = pool[mutator.below(pool.size())];
    Bytes input = mutator.mutate(base, pool);
    runOne(input);
    if (pool.size() < seeds.size() + kRecent) {
      pool.push_back(std::move(input));
    } else {
      pool[seeds.size() + ring_next] = std::move(input);
      ring_next = (ring_next + 1) % kRecent;
    }
  }
  std::printf("%zu seed inputs and %llu mutations ran without a violation\n", seeds.size(),
              static_cast<unsigned long long>(options.iterations));
  return 0;
}
