// The source_code detector (data/detectors/source_code.yaml + the
// source_code validator): code and configuration blocks in prose are found
// with a language guess; prose that merely has some punctuation is not.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "airlock/detect/analyzer.h"
#include "airlock/detect/validators.h"

namespace airlock::detect {
namespace {

class SourceCodeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto c = Catalog::LoadFile(std::string(AIRLOCK_SOURCE_DATA_DIR) + "/detectors/source_code.yaml");
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    auto a = Analyzer::Create(std::move(*c), AnalyzerOptions{});
    ASSERT_TRUE(a.ok()) << a.status().ToString();
    analyzer_ = new std::shared_ptr<const Analyzer>(*a);
  }
  static void TearDownTestSuite() {
    delete analyzer_;
    analyzer_ = nullptr;
  }
  static std::vector<Finding> Find(std::string_view text) {
    auto r = (*analyzer_)->Analyze(text);
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : std::vector<Finding>{};
  }
  static std::shared_ptr<const Analyzer>* analyzer_;
};
std::shared_ptr<const Analyzer>* SourceCodeTest::analyzer_ = nullptr;

struct Snippet {
  const char* language;
  const char* code;
};

const Snippet kSnippets[] = {
    {"python",
     "def load_config(path):\n    with open(path) as f:\n        data = json.load(f)\n    if not "
     "data:\n        return None\n    return data['settings']"},
    {"javascript",
     "const express = require('express');\nconst app = express();\napp.get('/', (req, res) => "
     "{\n  console.log('hit');\n  res.send('ok');\n});"},
    {"typescript",
     "export interface User {\n  id: number;\n  name: string;\n}\nexport function greet(u: "
     "User): string {\n  return `hi ${u.name}`;\n}"},
    {"java",
     "public class Billing {\n    private final Ledger ledger;\n    @Override\n    public "
     "String toString() {\n        System.out.println(\"x\");\n        return ledger.name();\n "
     "   }\n}"},
    {"c/c++",
     "#include <stdio.h>\n#include <stdlib.h>\nint main(int argc, char **argv) {\n  char *buf = "
     "malloc(64);\n  printf(\"%s\\n\", argv[0]);\n  return 0;\n}"},
    {"c#",
     "using System;\nnamespace Acme.Billing {\n    public class Invoice {\n        public "
     "decimal Total { get; set; }\n        public void Print() { Console.WriteLine(Total); }\n  "
     "  }\n}"},
    {"go",
     "package main\n\nimport (\n\t\"fmt\"\n)\n\nfunc main() {\n\tx, err := compute()\n\tif err "
     "!= nil {\n\t\tpanic(err)\n\t}\n\tfmt.Println(x)\n}"},
    {"rust",
     "use std::collections::HashMap;\npub fn count(words: &[&str]) -> HashMap<String, usize> "
     "{\n    let mut m = HashMap::new();\n    for w in words {\n        *m.entry(w.to_string())."
     "or_insert(0) += 1;\n    }\n    m\n}"},
    {"sql",
     "SELECT c.id, c.name, SUM(o.total) AS revenue\nFROM customers c\nJOIN orders o ON o.customer_id "
     "= c.id\nWHERE o.created_at > '2024-01-01'\nGROUP BY c.id, c.name\nORDER BY revenue DESC;"},
    {"shell",
     "#!/bin/bash\nset -euo pipefail\nexport APP_ENV=prod\nif [ -f /etc/app.conf ]; then\n  "
     "echo \"found\"\nfi\nsudo systemctl restart app"},
    {"yaml",
     "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: billing\nspec:\n  replicas: 3\n "
     " template:\n    spec:\n      containers:\n        - name: api\n          image: "
     "acme/billing:1.4"},
    {"json",
     "{\n  \"name\": \"billing-service\",\n  \"version\": \"1.4.2\",\n  \"private\": true,\n  "
     "\"dependencies\": {\n    \"express\": \"^4.18.0\"\n  }\n}"},
    {"ini",
     "[database]\nhost=db.internal\nport=5432\nuser=billing\n\n[cache]\nttl=300"},
    {"properties",
     "spring.datasource.url=jdbc:postgresql://db/billing\nspring.datasource.username=billing\n"
     "server.port=8443\nlogging.level.root=INFO"},
    {"apex",
     "public with sharing class AccountService {\n    @AuraEnabled\n    public static "
     "List<Account> top() {\n        List<Account> accs = [SELECT Id, Name FROM Account LIMIT "
     "10];\n        System.debug(accs.size());\n        return accs;\n    }\n}"},
};

TEST_F(SourceCodeTest, SnippetsInProseAreFoundWithTheirLanguage) {
  for (const Snippet& s : kSnippets) {
    const std::string before = "Hi team, here is what I changed yesterday:\n\n";
    const std::string text =
        before + s.code + "\n\nCan you review it before the release? Thanks, Anna.";
    auto found = Find(text);
    ASSERT_EQ(found.size(), 1u) << s.language << "\n" << text;
    EXPECT_EQ(found[0].entity_type, "SOURCE_CODE");
    EXPECT_EQ(found[0].data_class, DataClass::kConfidential);
    EXPECT_EQ(found[0].detail, s.language) << s.code;
    // The finding spans the block, not the prose around it.
    EXPECT_EQ(found[0].span.begin, before.size()) << s.language;
    EXPECT_EQ(found[0].span.end, before.size() + std::string(s.code).size()) << s.language;
  }
}

TEST_F(SourceCodeTest, ProseListsSignaturesAndTablesAreNotCode) {
  const char* kNegatives[] = {
      // Ordinary prose, wrapped.
      "Thanks for the update on the quarterly numbers. We discussed them in the\n"
      "meeting on Tuesday and agreed that the budget for the next quarter should\n"
      "stay where it is, at least until the audit has been completed.",
      // Prose with parentheses and semicolons at line ends.
      "The plan has three parts (see the appendix);\n"
      "first we talk to the customers, then to the partners;\n"
      "finally we write the report (in English and German);\n"
      "nobody expects it to be finished before the summer.",
      // A list.
      "Shopping list:\n- apples and pears from the market\n- two loaves of bread\n- coffee, the "
      "strong one\n- something for the weekend",
      // An e-mail signature.
      "Kind regards,\nJohn Smith\nSenior Account Manager\nTel: +49 30 1234567\nMobile: +49 170 "
      "1234567\nEmail: john.smith@example.com\nWeb: www.example.com",
      // E-mail headers.
      "From: Anna Schmidt\nTo: Billing Team\nSubject: Invoice for March\nDate: Tue, 4 Mar 2025",
      // CSV.
      "name,city,amount\nAnna,Berlin,120\nBen,Hamburg,80\nCara,Munich,95\nDan,Cologne,60",
      // Numbered steps with colons.
      "Agenda:\n1. Welcome and introductions,\n2. Review of last quarter,\n3. Plans for the "
      "new office,\n4. Any other business.",
  };
  for (const char* t : kNegatives) {
    auto found = Find(t);
    EXPECT_TRUE(found.empty()) << t << "\n-> " << (found.empty() ? "" : found[0].detail);
  }
}

TEST_F(SourceCodeTest, FlatContactFieldsAreNotYaml) {
  EXPECT_TRUE(Find("Reach me here:\nmobile: 99 577450\ndesk: +1-604-696-5272\nfax: +41 71 526 99 04\n"
                   "Best, Tom").empty());
}

TEST(SourceCodeContainer, SecretsInsideACodeBlockAreStillReported) {
  const std::string dir = std::string(AIRLOCK_SOURCE_DATA_DIR) + "/detectors/";
  auto c = Catalog::LoadFile(dir + "source_code.yaml");
  ASSERT_TRUE(c.ok());
  auto secrets = Catalog::LoadFile(dir + "secrets.yaml");
  ASSERT_TRUE(secrets.ok());
  ASSERT_TRUE(c->Merge(std::move(*secrets)).ok());
  auto a = Analyzer::Create(std::move(*c), AnalyzerOptions{});
  ASSERT_TRUE(a.ok());
  const std::string text =
      "Why does this fail?\n\nimport boto3\ndef client():\n    return boto3.client('s3',\n"
      "        aws_access_key_id='AKIAZ7QK3MP5RW2TLX6N')\n\nThanks!";
  auto found = (*a)->Analyze(text);
  ASSERT_TRUE(found.ok());
  std::vector<std::string> ids;
  for (const Finding& f : *found) ids.push_back(f.detector);
  EXPECT_NE(std::find(ids.begin(), ids.end(), "source_code"), ids.end());
  EXPECT_NE(std::find(ids.begin(), ids.end(), "aws_access_key_id"), ids.end());
}

TEST_F(SourceCodeTest, TwoCodeLinesAreNotABlock) {
  EXPECT_TRUE(Find("Run this:\nx = compute();\nprint(x);\nand tell me what happens.").empty());
}

// The validator remembers the lines of its recent calls (consecutive
// candidates are overlapping runs of lines in one text). Its answer must
// depend on the block's bytes alone: blocks that slide over one buffer, that
// start inside a remembered line, or that are copies elsewhere must get the
// same answer as when each is the first block it sees.
TEST(SourceCodeValidator, AnswersDependOnTheBlockAloneWhateverCameBefore) {
  const ValidatorFn validate = FindValidator("source_code");
  ASSERT_NE(validate, nullptr);
  std::string text;
  for (const Snippet& s : kSnippets) {
    text += "Hello team, please look at this before Friday.\n\n";
    text += s.code;
    text += "\n\n  \nkey: value\nname = x\n";
  }
  std::vector<std::size_t> starts{0}, ends;
  for (std::size_t p = 0; p < text.size(); ++p) {
    if (text[p] == '\n') {
      ends.push_back(p);
      starts.push_back(p + 1);
    }
  }
  // Every block of up to 12 lines, the way candidates come (by end), then
  // blocks that start one byte into a line.
  struct Block {
    std::size_t begin, end;
  };
  std::vector<Block> blocks;
  for (std::size_t e = 0; e < ends.size(); ++e) {
    for (std::size_t b = e >= 12 ? e - 12 : 0; b <= e; ++b) {
      if (starts[b] < ends[e]) blocks.push_back({starts[b], ends[e]});
      if (starts[b] + 1 < ends[e]) blocks.push_back({starts[b] + 1, ends[e]});
    }
  }
  const ValidationContext ctx;
  std::vector<ValidationResult> sliding;
  for (const Block& b : blocks) {
    sliding.push_back(validate(std::string_view(text).substr(b.begin, b.end - b.begin), ctx));
  }
  int accepted = 0;
  for (std::size_t k = 0; k < blocks.size(); ++k) {
    const Block& b = blocks[k];
    // A copy at another address, after an unrelated call.
    (void)validate("x = 1;\ny = 2;\nz = 3;", ctx);
    const std::string copy = text.substr(b.begin, b.end - b.begin);
    const ValidationResult alone = validate(copy, ctx);
    ASSERT_EQ(sliding[k].valid, alone.valid) << "block at " << b.begin << "-" << b.end;
    ASSERT_EQ(sliding[k].detail, alone.detail) << "block at " << b.begin << "-" << b.end;
    accepted += alone.valid;
  }
  EXPECT_GT(accepted, 50);  // the blocks include code, not only prose
  EXPECT_GT(static_cast<int>(blocks.size()) - accepted, 50);
}

}  // namespace
}  // namespace airlock::detect
