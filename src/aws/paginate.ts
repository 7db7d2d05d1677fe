// Following an AWS pagination token to the end, without trusting the endpoint to make progress: a
// token that comes back a second time would otherwise loop forever (moto's DynamoDB ListTagsOfResource
// does this once a table has duplicate tag keys), so it fails the call instead.

export class PaginationLoopError extends Error {
  constructor(what: string, token: string) {
    super(`${what} returned the pagination token ${JSON.stringify(token)} twice; giving up rather than looping`);
    this.name = 'PaginationLoopError';
  }
}

/** Every page of a paginated AWS call: `fetch` gets the previous page's token (undefined first). */
export async function* allPages<Page>(what: string, fetch: (token: string | undefined) => Promise<Page>, nextToken: (page: Page) => string | undefined): AsyncIterable<Page> {
  const seen = new Set<string>();
  let token: string | undefined;
  do {
    const page = await fetch(token);
    yield page;
    token = nextToken(page) || undefined;
    if (token !== undefined && seen.has(token)) throw new PaginationLoopError(what, token);
    if (token !== undefined) seen.add(token);
  } while (token !== undefined);
}
