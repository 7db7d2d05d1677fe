// DynamoDB tables through @aws-sdk/client-dynamodb: describe into the canonical spec, create with tags
// in the same call, and update with the fewest calls AWS allows (it takes one kind of table change
// per UpdateTable, and none while the table is UPDATING).
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeContinuousBackupsCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ListTagsOfResourceCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateContinuousBackupsCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  type AttributeDefinition,
  type GlobalSecondaryIndexDescription,
  type KeySchemaElement,
  type TableDescription,
  type UpdateTableCommandInput,
} from '@aws-sdk/client-dynamodb';
import { deepEqual } from '../../api/json.js';
import { awsErrorCode, isAwsNotFound } from '../../aws/errors.js';
import { defaultPhysicalName, type NamingRules } from '../../aws/naming.js';
import { allPages } from '../../aws/paginate.js';
import { fromTagList, toTagList } from '../../aws/tag-list.js';
import { resourcesOfCluster } from '../../aws/tagging.js';
import { waitFor } from '../../aws/wait.js';
import {
  changed,
  ResourceConflict,
  type DeleteOutcome,
  type KindAws,
  type KindContext,
  type Lifecycle,
  type Listed,
  type ObjectIdentity,
  type Observed,
  type SpecChange,
  type TagChange,
} from '../../registry/kind.js';
import type { AttributeType, DynamoDBSpec, GlobalSecondaryIndex, KeyAttribute } from './spec.js';

const dynamodb = (ctx: KindContext): DynamoDBClient => ctx.aws.client(DynamoDBClient);

// ------------------------------------------------------------------ reading

function keyAttributes(keys: KeySchemaElement[] | undefined, definitions: AttributeDefinition[] | undefined): { hash: KeyAttribute; range?: KeyAttribute } {
  const typeOf = (name: string): AttributeType => (definitions?.find((d) => d.AttributeName === name)?.AttributeType) ?? 'S';
  const attr = (role: 'HASH' | 'RANGE'): KeyAttribute | undefined => {
    const name = keys?.find((k) => k.KeyType === role)?.AttributeName;
    return name ? { name, type: typeOf(name) } : undefined;
  };
  return { hash: attr('HASH') as KeyAttribute, range: attr('RANGE') };
}

function renderIndex(gsi: GlobalSecondaryIndexDescription, definitions: AttributeDefinition[] | undefined, provisioned: boolean): GlobalSecondaryIndex {
  const keys = keyAttributes(gsi.KeySchema, definitions);
  const nonKey = gsi.Projection?.NonKeyAttributes;
  return {
    indexName: gsi.IndexName as string,
    hashAttribute: keys.hash,
    ...(keys.range ? { rangeAttribute: keys.range } : {}),
    projection: { type: (gsi.Projection?.ProjectionType ?? 'ALL'), ...(nonKey?.length ? { nonKeyAttributes: [...nonKey].sort() } : {}) },
    ...(provisioned
      ? { readCapacityUnits: gsi.ProvisionedThroughput?.ReadCapacityUnits, writeCapacityUnits: gsi.ProvisionedThroughput?.WriteCapacityUnits }
      : {}),
  };
}

interface Extras {
  ttl?: { enabled: boolean; attributeName?: string };
  pitr: boolean;
}

function renderSpec(table: TableDescription, extras: Extras): DynamoDBSpec {
  const keys = keyAttributes(table.KeySchema, table.AttributeDefinitions);
  const billingMode = (table.BillingModeSummary?.BillingMode ?? 'PROVISIONED');
  const provisioned = billingMode === 'PROVISIONED';
  const sse = table.SSEDescription;
  const sseOn = sse?.Status === 'ENABLED' || sse?.Status === 'ENABLING' || sse?.Status === 'UPDATING';
  const indexes = table.GlobalSecondaryIndexes?.filter((g) => g.IndexStatus !== 'DELETING').map((g) => renderIndex(g, table.AttributeDefinitions, provisioned));
  return {
    tableName: table.TableName,
    hashAttribute: keys.hash,
    ...(keys.range ? { rangeAttribute: keys.range } : {}),
    billingMode,
    ...(provisioned
      ? { readCapacityUnits: table.ProvisionedThroughput?.ReadCapacityUnits, writeCapacityUnits: table.ProvisionedThroughput?.WriteCapacityUnits }
      : {}),
    tableClass: (table.TableClassSummary?.TableClass ?? 'STANDARD'),
    ...(indexes?.length ? { globalSecondaryIndexes: indexes.sort((a, b) => a.indexName.localeCompare(b.indexName)) } : {}),
    stream: table.StreamSpecification?.StreamEnabled ? { enabled: true, viewType: table.StreamSpecification.StreamViewType } : { enabled: false },
    serverSideEncryption: sseOn ? { enabled: true, ...(sse?.KMSMasterKeyArn ? { kmsKeyId: sse.KMSMasterKeyArn } : {}) } : { enabled: false },
    timeToLive: extras.ttl ?? { enabled: false },
    pointInTimeRecovery: extras.pitr,
    deletionProtection: table.DeletionProtectionEnabled ?? false,
  };
}

function lifecycleOf(table: TableDescription): Lifecycle {
  const state = table.TableStatus ?? 'UNKNOWN';
  const busyIndex = table.GlobalSecondaryIndexes?.find((g) => g.IndexStatus && g.IndexStatus !== 'ACTIVE');
  switch (state) {
    case 'ACTIVE':
      return busyIndex
        ? { state: 'UPDATING', phase: 'Updating', message: `index ${busyIndex.IndexName} is ${busyIndex.IndexStatus}` }
        : { state, phase: 'Ready', message: 'table is ACTIVE' };
    case 'CREATING':
      return { state, phase: 'Creating', message: 'table is CREATING' };
    case 'UPDATING':
      return { state, phase: 'Updating', message: 'table is UPDATING' };
    case 'DELETING':
      return { state, phase: 'Deleting', message: 'table is DELETING' };
    default:
      return { state, phase: 'Failed', message: `table is ${state}` };
  }
}

async function listTags(ctx: KindContext, arn: string): Promise<Record<string, string>> {
  const tags: Record<string, string> = {};
  const pages = allPages(
    'ListTagsOfResource',
    (token) => dynamodb(ctx).send(new ListTagsOfResourceCommand({ ResourceArn: arn, ...(token ? { NextToken: token } : {}) })),
    (page) => page.NextToken,
  );
  for await (const page of pages) Object.assign(tags, fromTagList(page.Tags));
  return tags;
}

/** TTL and backups have their own APIs, which answer only once the table exists for them. */
async function readExtras(ctx: KindContext, name: string, status: string | undefined): Promise<Extras> {
  if (status === 'CREATING' || status === 'DELETING') return { pitr: false };
  const [ttl, backups] = await Promise.all([
    dynamodb(ctx).send(new DescribeTimeToLiveCommand({ TableName: name })),
    dynamodb(ctx).send(new DescribeContinuousBackupsCommand({ TableName: name })),
  ]);
  const ttlStatus = ttl.TimeToLiveDescription?.TimeToLiveStatus;
  const ttlOn = ttlStatus === 'ENABLED' || ttlStatus === 'ENABLING';
  const pitr = backups.ContinuousBackupsDescription?.PointInTimeRecoveryDescription?.PointInTimeRecoveryStatus === 'ENABLED';
  return { ttl: ttlOn ? { enabled: true, attributeName: ttl.TimeToLiveDescription?.AttributeName } : { enabled: false }, pitr };
}

async function describe(ctx: KindContext, name: string): Promise<TableDescription | undefined> {
  try {
    return (await dynamodb(ctx).send(new DescribeTableCommand({ TableName: name }))).Table;
  } catch (error) {
    if (isAwsNotFound(error)) return undefined;
    throw error;
  }
}

async function find(ctx: KindContext, name: string): Promise<Observed<DynamoDBSpec> | undefined> {
  const table = await describe(ctx, name);
  if (!table?.TableArn) return undefined;
  const [tags, extras] = await Promise.all([listTags(ctx, table.TableArn), readExtras(ctx, name, table.TableStatus)]);
  const arn = table.TableArn;
  return {
    ref: name,
    arn,
    tags,
    lifecycle: lifecycleOf(table),
    spec: renderSpec(table, extras),
    status: {
      arn,
      tableName: name,
      tableStatus: table.TableStatus,
      ...(table.TableId ? { tableId: table.TableId } : {}),
      ...(table.LatestStreamArn ? { latestStreamArn: table.LatestStreamArn } : {}),
    },
    outputs: { tableName: name, tableARN: arn, region: ctx.region },
    ...(table.CreationDateTime ? { createdAt: table.CreationDateTime.toISOString().replace(/\.\d{3}Z$/, 'Z') } : {}),
  };
}

// ------------------------------------------------------------------ writing

function keySchema(hash: KeyAttribute, range?: KeyAttribute): KeySchemaElement[] {
  return [{ AttributeName: hash.name, KeyType: 'HASH' }, ...(range ? [{ AttributeName: range.name, KeyType: 'RANGE' as const }] : [])];
}

function attributeDefinitions(attrs: (KeyAttribute | undefined)[]): AttributeDefinition[] {
  const byName = new Map<string, AttributeDefinition>();
  for (const attr of attrs) if (attr) byName.set(attr.name, { AttributeName: attr.name, AttributeType: attr.type });
  return [...byName.values()];
}

function throughput(owner: { readCapacityUnits?: number; writeCapacityUnits?: number }): { ReadCapacityUnits: number; WriteCapacityUnits: number } | undefined {
  return owner.readCapacityUnits !== undefined && owner.writeCapacityUnits !== undefined
    ? { ReadCapacityUnits: owner.readCapacityUnits, WriteCapacityUnits: owner.writeCapacityUnits }
    : undefined;
}

function indexInput(gsi: GlobalSecondaryIndex) {
  const provisioned = throughput(gsi);
  return {
    IndexName: gsi.indexName,
    KeySchema: keySchema(gsi.hashAttribute, gsi.rangeAttribute),
    Projection: { ProjectionType: gsi.projection.type, ...(gsi.projection.nonKeyAttributes ? { NonKeyAttributes: gsi.projection.nonKeyAttributes } : {}) },
    ...(provisioned ? { ProvisionedThroughput: provisioned } : {}),
  };
}

function sseSpecification(spec: DynamoDBSpec) {
  return spec.serverSideEncryption.enabled
    ? { Enabled: true, SSEType: 'KMS' as const, ...(spec.serverSideEncryption.kmsKeyId ? { KMSMasterKeyId: spec.serverSideEncryption.kmsKeyId } : {}) }
    : { Enabled: false };
}

function streamSpecification(spec: DynamoDBSpec) {
  return spec.stream.enabled ? { StreamEnabled: true, StreamViewType: spec.stream.viewType as 'NEW_AND_OLD_IMAGES' } : { StreamEnabled: false };
}

async function waitUntilActive(ctx: KindContext, name: string): Promise<void> {
  await waitFor(
    async () => {
      const table = await describe(ctx, name);
      const busy = table?.GlobalSecondaryIndexes?.some((g) => g.IndexStatus !== 'ACTIVE');
      return table?.TableStatus === 'ACTIVE' && !busy ? true : undefined;
    },
    { deadline: ctx.deadline, what: `table ${name} to become ACTIVE` },
  );
}

async function setTimeToLive(ctx: KindContext, name: string, ttl: DynamoDBSpec['timeToLive'], previousAttribute?: string): Promise<void> {
  const attributeName = ttl.enabled ? (ttl.attributeName as string) : previousAttribute;
  if (!attributeName) return;
  await dynamodb(ctx).send(new UpdateTimeToLiveCommand({ TableName: name, TimeToLiveSpecification: { Enabled: ttl.enabled, AttributeName: attributeName } }));
}

async function setPointInTimeRecovery(ctx: KindContext, name: string, enabled: boolean): Promise<void> {
  await dynamodb(ctx).send(new UpdateContinuousBackupsCommand({ TableName: name, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: enabled } }));
}

/** Settings CreateTable cannot take: applied once the table is ACTIVE; the table is removed if they fail. */
async function applyAfterCreate(ctx: KindContext, name: string, spec: DynamoDBSpec): Promise<void> {
  if (!spec.timeToLive.enabled && !spec.pointInTimeRecovery) return;
  await waitUntilActive(ctx, name);
  if (spec.timeToLive.enabled) await setTimeToLive(ctx, name, spec.timeToLive);
  if (spec.pointInTimeRecovery) await setPointInTimeRecovery(ctx, name, true);
}

/** Removes a table whose create did not finish: its deletion protection is this create's, not a user's. */
async function rollBack(ctx: KindContext, name: string, deletionProtection: boolean): Promise<void> {
  try {
    if (deletionProtection) await dynamodb(ctx).send(new UpdateTableCommand({ TableName: name, DeletionProtectionEnabled: false }));
    await dynamodb(ctx).send(new DeleteTableCommand({ TableName: name }));
  } catch (error) {
    if (!isAwsNotFound(error)) throw error;
  }
}

async function discard(ctx: KindContext, observed: Observed<DynamoDBSpec>): Promise<void> {
  await rollBack(ctx, observed.ref, observed.spec.deletionProtection);
}

async function create(ctx: KindContext, name: string, spec: DynamoDBSpec, tags: Record<string, string>): Promise<string> {
  const indexes = spec.globalSecondaryIndexes ?? [];
  const provisioned = throughput(spec);
  await dynamodb(ctx).send(
    new CreateTableCommand({
      TableName: name,
      KeySchema: keySchema(spec.hashAttribute, spec.rangeAttribute),
      AttributeDefinitions: attributeDefinitions([spec.hashAttribute, spec.rangeAttribute, ...indexes.flatMap((g) => [g.hashAttribute, g.rangeAttribute])]),
      BillingMode: spec.billingMode,
      ...(provisioned ? { ProvisionedThroughput: provisioned } : {}),
      ...(indexes.length ? { GlobalSecondaryIndexes: indexes.map(indexInput) } : {}),
      ...(spec.stream.enabled ? { StreamSpecification: streamSpecification(spec) } : {}),
      ...(spec.serverSideEncryption.enabled ? { SSESpecification: sseSpecification(spec) } : {}),
      TableClass: spec.tableClass,
      DeletionProtectionEnabled: spec.deletionProtection,
      Tags: toTagList(tags),
    }),
  );
  try {
    await applyAfterCreate(ctx, name, spec);
  } catch (error) {
    // A half-configured table must not stay behind: remove it, then report what failed. If the removal
    // fails too, the table stays half made (pending) until a retry finishes it or the resync removes it.
    await rollBack(ctx, name, spec.deletionProtection).catch(() => undefined);
    throw error;
  }
  return name;
}

/** The UpdateTable calls that take current to desired, one kind of change per call. */
function tableUpdates(name: string, change: SpecChange<DynamoDBSpec>): UpdateTableCommandInput[] {
  const { current, desired } = change;
  const calls: UpdateTableCommandInput[] = [];
  const currentIndexes = new Map((current.globalSecondaryIndexes ?? []).map((g) => [g.indexName, g]));
  const desiredIndexes = new Map((desired.globalSecondaryIndexes ?? []).map((g) => [g.indexName, g]));
  const provisioned = desired.billingMode === 'PROVISIONED';

  const capacityChanged = changed(change, 'billingMode', 'readCapacityUnits', 'writeCapacityUnits');
  const indexCapacityUpdates = [...desiredIndexes.values()]
    .filter((g) => currentIndexes.has(g.indexName) && (desired.billingMode !== current.billingMode || !deepEqual(throughput(g), throughput(currentIndexes.get(g.indexName) as GlobalSecondaryIndex))))
    .filter(() => provisioned)
    .map((g) => ({ Update: { IndexName: g.indexName, ProvisionedThroughput: throughput(g) } }));
  if (capacityChanged || indexCapacityUpdates.length) {
    calls.push({
      TableName: name,
      BillingMode: desired.billingMode,
      ...(provisioned ? { ProvisionedThroughput: throughput(desired) } : {}),
      ...(indexCapacityUpdates.length ? { GlobalSecondaryIndexUpdates: indexCapacityUpdates } : {}),
    });
  }
  for (const gsi of currentIndexes.values()) {
    if (!desiredIndexes.has(gsi.indexName)) calls.push({ TableName: name, GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: gsi.indexName } }] });
  }
  for (const gsi of desiredIndexes.values()) {
    if (currentIndexes.has(gsi.indexName)) continue;
    calls.push({
      TableName: name,
      AttributeDefinitions: attributeDefinitions([desired.hashAttribute, desired.rangeAttribute, gsi.hashAttribute, gsi.rangeAttribute]),
      GlobalSecondaryIndexUpdates: [{ Create: indexInput(gsi) }],
    });
  }
  if (changed(change, 'stream')) {
    // Changing the view type means turning the stream off, then on again with the new type.
    if (current.stream.enabled && desired.stream.enabled) calls.push({ TableName: name, StreamSpecification: { StreamEnabled: false } });
    calls.push({ TableName: name, StreamSpecification: streamSpecification(desired) });
  }
  if (changed(change, 'serverSideEncryption')) calls.push({ TableName: name, SSESpecification: sseSpecification(desired) });
  if (changed(change, 'tableClass')) calls.push({ TableName: name, TableClass: desired.tableClass });
  if (changed(change, 'deletionProtection')) calls.push({ TableName: name, DeletionProtectionEnabled: desired.deletionProtection });
  return calls;
}

/** Index rules (one index added or removed per update, keys fixed) were checked by validateUpdate. */
async function update(ctx: KindContext, observed: Observed<DynamoDBSpec>, change: SpecChange<DynamoDBSpec>): Promise<void> {
  const { current, desired } = change;
  const name = observed.ref;
  const calls = tableUpdates(name, change);
  for (const [i, call] of calls.entries()) {
    if (i > 0 || observed.lifecycle.phase !== 'Ready') await waitUntilActive(ctx, name);
    await dynamodb(ctx).send(new UpdateTableCommand(call));
  }
  if (changed(change, 'timeToLive')) await setTimeToLive(ctx, name, desired.timeToLive, current.timeToLive.attributeName);
  if (changed(change, 'pointInTimeRecovery')) await setPointInTimeRecovery(ctx, name, desired.pointInTimeRecovery);
}

/**
 * DynamoDB's TagResource overwrites a key's value, but moto (the local AWS) appends a duplicate key,
 * after which its ListTagsOfResource cannot page. Removing the keys being overwritten first gives the
 * same tags on both. Reads inside this server never see the moment between the two calls: the store
 * re-reads whatever raced a write.
 */
async function setTags(ctx: KindContext, observed: Observed<DynamoDBSpec>, change: TagChange): Promise<void> {
  const overwritten = Object.keys(change.set).filter((key) => key in observed.tags);
  const untag = async (keys: string[]) => {
    if (keys.length) await dynamodb(ctx).send(new UntagResourceCommand({ ResourceArn: observed.arn, TagKeys: keys }));
  };
  await untag([...overwritten, ...change.remove]);
  if (Object.keys(change.set).length) await dynamodb(ctx).send(new TagResourceCommand({ ResourceArn: observed.arn, Tags: toTagList(change.set) }));
}

async function remove(ctx: KindContext, observed: Observed<DynamoDBSpec>): Promise<DeleteOutcome> {
  if (observed.spec.deletionProtection) {
    throw new ResourceConflict('deletion protection is enabled on the table; set spec.deletionProtection to false first');
  }
  try {
    const result = await dynamodb(ctx).send(new DeleteTableCommand({ TableName: observed.ref }));
    return { state: result.TableDescription?.TableStatus === 'DELETING' && (await describe(ctx, observed.ref)) ? 'deleting' : 'deleted' };
  } catch (error) {
    if (isAwsNotFound(error)) return { state: 'deleted' };
    if (awsErrorCode(error) === 'ResourceInUseException') {
      throw new ResourceConflict(`the table is ${observed.lifecycle.state} and cannot be deleted until it is ACTIVE; try again shortly`);
    }
    throw error;
  }
}

async function* enumerate(ctx: KindContext, clusterName: string): AsyncIterable<Listed> {
  for await (const resource of resourcesOfCluster(ctx, 'dynamodb:table', clusterName)) {
    yield { ref: resource.arn.slice(resource.arn.indexOf(':table/') + ':table/'.length), tags: resource.tags };
  }
}

const NAMING: NamingRules = { separator: '.', maxLength: 255 };

export const dynamoDBAws: KindAws<DynamoDBSpec> = {
  physicalName: (identity: ObjectIdentity, spec?: DynamoDBSpec) => spec?.tableName ?? defaultPhysicalName(identity, NAMING),
  explicitName: { field: 'tableName', rules: NAMING },
  find,
  create,
  update,
  setTags,
  delete: remove,
  discard,
  enumerate,
};
