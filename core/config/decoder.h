#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "config/duration.h"
#include "config/value.h"

namespace spire::config {

// Collects what goes wrong while a value tree is decoded into typed structs, so that one load
// reports every unknown key (SPIRE lists them all) instead of stopping at the first.
class DecodeContext {
public:
  void addUnknown(std::string path, SourcePosition position);
  void addError(std::string message);
  bool failed() const { return !unknown_.empty() || !errors_.empty(); }
  // OK, or kInvalidArgument with "unknown configuration detected: "a" at f:1:1, "b" at f:2:1"
  // followed by the other errors, joined with "; ".
  Status status() const;

private:
  std::vector<std::pair<std::string, SourcePosition>> unknown_;
  std::vector<std::string> errors_;
};

// "server" + "bind_port" -> "server.bind_port"; "" + "server" -> "server".
std::string joinPath(std::string_view parent, std::string_view key);
// `server.federation.federates_with` + `td` -> `server.federation.federates_with["td"]`.
std::string labelPath(std::string_view parent, std::string_view label);
// ASCII case-insensitive equality: HCL1 matches keys to struct fields with strings.EqualFold.
bool keyEquals(std::string_view a, std::string_view b);

// A typed view over one block: one or more objects (a block repeated in the file, as HCL1 merges
// them) read key by key with SPIRE's weak typing. Every key read is marked known; finish() reports
// the rest as unknown. Values read later win over earlier ones, as in HCL1.
struct LabelledBlock;

class BlockReader {
public:
  BlockReader(DecodeContext& context, std::string path, std::vector<const Value*> objects);

  const std::string& path() const { return path_; }
  const SourcePosition& position() const { return position_; }
  DecodeContext& context() const { return *context_; }

  // Every entry named `key`, in order, marked known.
  std::vector<const ObjectEntry*> take(std::string_view key);
  // All entries, in order, marked known (for blocks whose keys are names, like plugins {}).
  std::vector<const ObjectEntry*> takeAll();

  // Each returns true when the key is present and its value was accepted; on a type error it
  // records "<path>.<key>: expected ..., got ... at <pos>" and leaves `out` alone.
  bool readString(std::string_view key, std::string& out);
  bool readInt(std::string_view key, std::int64_t& out);
  bool readPort(std::string_view key, int& out);
  bool readBool(std::string_view key, bool& out);
  bool readOptionalBool(std::string_view key, std::optional<bool>& out);
  bool readDuration(std::string_view key, Duration& out);
  bool readOptionalDuration(std::string_view key, std::optional<Duration>& out);
  bool readStringList(std::string_view key, std::vector<std::string>& out);

  // The nested block `key` with all its occurrences merged; nullopt when absent or not a block.
  std::optional<BlockReader> block(std::string_view key);
  // Each occurrence (or list element) of `key` as its own block, for list-of-object options.
  std::vector<BlockReader> blockList(std::string_view key);

  // `key "label" { ... }` blocks (or `"key": {"label": {...}}` in JSON), in file order.
  std::vector<LabelledBlock> labelledBlocks(std::string_view key);

  // Position of the value last read for `key`, or of this block when the key is absent.
  SourcePosition positionOf(std::string_view key) const;
  // Records "<path>.<key>: <problem> at <position of key's value>".
  void fail(std::string_view key, const std::string& problem);
  // Records "<path>: <problem> at <position of this block>".
  void failBlock(const std::string& problem);

  // Reports every entry nobody took as unknown configuration.
  void finish();

private:
  const Value* lastValue(std::string_view key);
  void typeError(std::string_view key, const Value& value, std::string_view expected);
  std::vector<const Value*> objectsOf(std::string_view key, const std::vector<const ObjectEntry*>&);

  DecodeContext* context_;
  std::string path_;
  SourcePosition position_;
  std::vector<const ObjectEntry*> entries_;
  std::vector<bool> used_;
};

// One `key "label" { body }` occurrence.
struct LabelledBlock {
  std::string label;
  SourcePosition position; // of the label
  BlockReader body;
};

} // namespace spire::config
