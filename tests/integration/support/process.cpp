#include "integration/support/process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <regex>
#include <sstream>

#include "integration/support/wait.h"

extern char** environ;

namespace spire::integration {
namespace {

std::vector<std::string> splitLines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    lines.push_back(line);
  }
  return lines;
}

std::string tail(const std::string& text, std::size_t max_lines) {
  std::vector<std::string> lines = splitLines(text);
  std::size_t from = lines.size() > max_lines ? lines.size() - max_lines : 0;
  std::string out;
  for (std::size_t i = from; i < lines.size(); ++i) {
    out += "  " + lines[i] + "\n";
  }
  return out;
}

// The child's environment: ours, minus unset_env, with env applied on top.
std::vector<std::string> childEnvironment(const ProcessOptions& options) {
  std::map<std::string, std::string> merged;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string entry(*e);
    auto eq = entry.find('=');
    if (eq != std::string::npos) {
      merged[entry.substr(0, eq)] = entry.substr(eq + 1);
    }
  }
  for (const auto& name : options.unset_env) {
    merged.erase(name);
  }
  for (const auto& [name, value] : options.env) {
    merged[name] = value;
  }
  std::vector<std::string> out;
  for (const auto& [name, value] : merged) {
    out.push_back(name + "=" + value);
  }
  return out;
}

ExitStatus fromWaitStatus(int status) {
  ExitStatus out;
  if (WIFEXITED(status)) {
    out.exited = true;
    out.code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    out.signal = WTERMSIG(status);
  }
  return out;
}

// Only async-signal-safe calls between fork and exec: the child of a multi-threaded test
// (gRPC, gtest) may not allocate or lock.
void writeRaw(int fd, const char* text) {
  ssize_t ignored = ::write(fd, text, std::strlen(text));
  (void)ignored;
}

} // namespace

std::string ExitStatus::describe() const {
  if (exited) {
    return "exit code " + std::to_string(code);
  }
  if (signal != 0) {
    return "killed by signal " + std::to_string(signal);
  }
  return "unknown exit";
}

std::string readFileText(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return "";
  }
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

Result<std::unique_ptr<Process>> Process::start(ProcessOptions options) {
  if (options.log_dir.empty()) {
    return Status(StatusCode::kInvalidArgument, "ProcessOptions.log_dir is required");
  }
  std::error_code ec;
  std::filesystem::create_directories(options.log_dir, ec);
  const std::string out_path = (options.log_dir / (options.name + ".stdout")).string();
  const std::string err_path = (options.log_dir / (options.name + ".stderr")).string();
  const std::string in_path = (options.log_dir / (options.name + ".stdin")).string();
  {
    std::ofstream in(in_path, std::ios::binary | std::ios::trunc);
    in << options.stdin_text;
    if (!in) {
      return Status(StatusCode::kInternal, "cannot write " + in_path);
    }
  }
  const int out_fd = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  const int err_fd = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  const int in_fd = ::open(in_path.c_str(), O_RDONLY | O_CLOEXEC);
  auto close_all = [&] {
    for (int fd : {out_fd, err_fd, in_fd}) {
      if (fd >= 0) {
        ::close(fd);
      }
    }
  };
  if (out_fd < 0 || err_fd < 0 || in_fd < 0) {
    close_all();
    return Status(StatusCode::kInternal, "cannot open the output files in " +
                                             options.log_dir.string() + ": " +
                                             std::strerror(errno));
  }

  // Everything the child needs is built before fork.
  std::vector<std::string> argv_storage;
  argv_storage.push_back(options.program);
  argv_storage.insert(argv_storage.end(), options.args.begin(), options.args.end());
  std::vector<char*> argv;
  for (auto& a : argv_storage) {
    argv.push_back(a.data());
  }
  argv.push_back(nullptr);
  std::vector<std::string> env_storage = childEnvironment(options);
  std::vector<char*> envp;
  for (auto& e : env_storage) {
    envp.push_back(e.data());
  }
  envp.push_back(nullptr);
  const std::string work_dir = options.work_dir.string();

  const pid_t pid = ::fork();
  if (pid < 0) {
    close_all();
    return Status(StatusCode::kInternal, std::string("fork failed: ") + std::strerror(errno));
  }
  if (pid == 0) {
    // A process group of its own, so a terminal's ^C aimed at the test does not reach it first.
    ::setpgid(0, 0);
    if (::dup2(in_fd, 0) < 0 || ::dup2(out_fd, 1) < 0 || ::dup2(err_fd, 2) < 0) {
      ::_exit(127);
    }
    // No descriptor of the test (gRPC sockets, other children's files) leaks into the child.
    ::close_range(3, ~0U, 0);
    // Default signal dispositions and an empty mask, whatever the test runner set.
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    if (!work_dir.empty() && ::chdir(work_dir.c_str()) != 0) {
      writeRaw(2, "integration harness: chdir failed\n");
      ::_exit(127);
    }
    ::execve(argv[0], argv.data(), envp.data());
    writeRaw(2, "integration harness: execve failed: ");
    writeRaw(2, std::strerror(errno));
    writeRaw(2, "\n");
    ::_exit(127);
  }
  close_all();
  return std::unique_ptr<Process>(new Process(std::move(options), pid));
}

Process::~Process() {
  if (running()) {
    ::kill(pid_, SIGKILL);
    reap(0);
  }
}

std::filesystem::path Process::stdoutPath() const {
  return options_.log_dir / (options_.name + ".stdout");
}

std::filesystem::path Process::stderrPath() const {
  return options_.log_dir / (options_.name + ".stderr");
}

std::string Process::stdoutText() const {
  return readFileText(stdoutPath());
}

std::string Process::stderrText() const {
  return readFileText(stderrPath());
}

void Process::reap(int wait_flags) {
  if (exit_ || pid_ <= 0) {
    return;
  }
  int status = 0;
  pid_t r = 0;
  do {
    r = ::waitpid(pid_, &status, wait_flags);
  } while (r < 0 && errno == EINTR);
  if (r == pid_) {
    exit_ = fromWaitStatus(status);
  } else if (r < 0) {
    exit_ = ExitStatus{}; // not our child any more (reaped elsewhere)
  }
}

bool Process::running() {
  reap(WNOHANG);
  return !exit_.has_value();
}

std::optional<ExitStatus> Process::exitStatus() {
  reap(WNOHANG);
  return exit_;
}

std::optional<ExitStatus> Process::waitForExit(std::chrono::milliseconds timeout) {
  waitFor([this] { return !running(); }, timeout, 10ms);
  return exit_;
}

void Process::sendSignal(int signal) {
  if (running()) {
    ::kill(pid_, signal);
  }
}

ExitStatus Process::stop(std::chrono::milliseconds grace) {
  sendSignal(SIGTERM);
  if (!waitForExit(grace)) {
    ::kill(pid_, SIGKILL);
    reap(0);
  }
  return exit_.value_or(ExitStatus{});
}

std::vector<std::string> Process::logLines(const std::string& pattern) const {
  const std::regex re(pattern, std::regex::ECMAScript);
  std::vector<std::string> out;
  for (const std::string& text : {stderrText(), stdoutText()}) {
    for (const std::string& line : splitLines(text)) {
      if (std::regex_search(line, re)) {
        out.push_back(line);
      }
    }
  }
  return out;
}

std::optional<std::string> Process::waitForLog(const std::string& pattern,
                                               std::chrono::milliseconds timeout) {
  std::optional<std::string> found;
  waitFor(
      [&] {
        // Checked before the liveness test, so lines printed just before exiting still count.
        const bool alive = running();
        std::vector<std::string> lines = logLines(pattern);
        if (!lines.empty()) {
          found = lines.front();
          return true;
        }
        return !alive;
      },
      timeout);
  return found;
}

std::string Process::describe(std::size_t max_lines) {
  std::string out = options_.name + " (pid " + std::to_string(pid_) + "): ";
  out += running() ? "running" : exit_->describe();
  out += "\n--- stderr (tail) ---\n" + tail(stderrText(), max_lines);
  out += "--- stdout (tail) ---\n" + tail(stdoutText(), max_lines);
  return out;
}

std::string CommandOutput::describe() const {
  std::string out = status.describe();
  if (timed_out) {
    out += " (timed out)";
  }
  return out + "\n--- stdout ---\n" + this->out + "--- stderr ---\n" + err;
}

CommandOutput runToCompletion(ProcessOptions options, std::chrono::milliseconds timeout) {
  static std::atomic<int> counter{0};
  options.name += "-" + std::to_string(counter.fetch_add(1));
  CommandOutput result;
  auto process = Process::start(std::move(options));
  if (!process.isOk()) {
    result.err = process.status().message();
    return result;
  }
  Process& p = **process;
  if (auto status = p.waitForExit(timeout)) {
    result.status = *status;
  } else {
    result.timed_out = true;
    result.status = p.stop(std::chrono::milliseconds(0));
  }
  result.out = p.stdoutText();
  result.err = p.stderrText();
  return result;
}

} // namespace spire::integration
