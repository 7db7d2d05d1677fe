// Enumeration through the Resource Groups Tagging API: one call per 100 resources of a type carrying
// this cluster's ownership tag, with their ARNs and tags, instead of one describe call per resource.
import { GetResourcesCommand, ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import type { AwsContext } from './context.js';
import { CLUSTER_TAG } from './metadata-tags.js';
import { allPages } from './paginate.js';

export interface TaggedResource {
  arn: string;
  tags: Record<string, string>;
}

export async function* resourcesOfCluster(ctx: AwsContext, resourceType: string, clusterName: string): AsyncIterable<TaggedResource> {
  const client = ctx.aws.client(ResourceGroupsTaggingAPIClient);
  const pages = allPages(
    `GetResources(${resourceType})`,
    (token) =>
      client.send(
        new GetResourcesCommand({
          TagFilters: [{ Key: CLUSTER_TAG, Values: [clusterName] }],
          ResourceTypeFilters: [resourceType],
          ResourcesPerPage: 100,
          ...(token ? { PaginationToken: token } : {}),
        }),
      ),
    (page) => page.PaginationToken,
  );
  for await (const page of pages) {
    for (const mapping of page.ResourceTagMappingList ?? []) {
      if (!mapping.ResourceARN) continue;
      yield { arn: mapping.ResourceARN, tags: Object.fromEntries((mapping.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])) };
    }
  }
}
