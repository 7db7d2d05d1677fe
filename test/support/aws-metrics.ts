// How many AWS calls that change something the server has made so far: its aws_api_calls_total
// counter (from /metrics), reads (Describe*, Get*, List*, Head*) left out.
export async function awsWriteCalls(metrics: () => Promise<{ body: string }>): Promise<number> {
  let writes = 0;
  for (const line of (await metrics()).body.split('\n')) {
    const match = /^aws_api_calls_total\{[^}]*operation="([^"]+)"[^}]*\} (\d+)/.exec(line);
    if (match && !/^(Describe|Get|List|Head)/.test(match[1])) writes += Number(match[2]);
  }
  return writes;
}
