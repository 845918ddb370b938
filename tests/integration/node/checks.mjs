// Check helpers shared by the gateway's node scenarios: one "ok - NAME" or
// "FAIL - NAME: why" line per check (the shell tests count them).
let failures = 0;

export function check(name, cond, why = "") {
  if (cond) console.log(`ok - ${name}`);
  else {
    failures++;
    console.log(`FAIL - ${name}${why ? ": " + why : ""}`);
  }
}

// fn must throw an openai APIError with this status (and code, and a
// message containing `text`, when given).
export async function expectError(name, fn, status, code, text) {
  try {
    await fn();
    check(name, false, "no error");
  } catch (e) {
    const got = e.status ?? e.error?.status;
    const gotCode = e.code ?? e.error?.code;
    const msg = e.error?.message ?? e.message ?? "";
    check(name, got === status && (!code || gotCode === code) && (!text || msg.includes(text)),
      `status ${got} code ${gotCode} (${msg})`);
  }
}

export function failed() { return failures; }
