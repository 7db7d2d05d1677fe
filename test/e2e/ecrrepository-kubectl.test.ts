// ECRRepository end to end: the original operator's manifest (no spec) through the real kubectl, safe
// deletion of a repository that holds images, every claim checked in ECR through the AWS SDK.
import { DescribeRepositoriesCommand, ECRClient, GetLifecyclePolicyCommand, ListTagsForResourceCommand, PutImageCommand, PutImageTagMutabilityCommand } from '@aws-sdk/client-ecr';
import { repositoryNames, expectUnchanged } from '../support/aws.js';
import { startEnvironment, type TestEnvironment } from '../support/environment.js';
import { expectFailure, Manifests } from '../support/manifests.js';

let env: TestEnvironment;
const manifests = new Manifests();
const ORIGINAL = manifests.file('apiVersion: service-operator.aws/v1alpha1\nkind: ECRRepository\nmetadata:\n  name: example-repository-name\n');
const REPOSITORY = 'e2e/default/example-repository-name';

const ecr = () => env.aws.client(ECRClient);
const describe_ = async (name: string) => (await ecr().send(new DescribeRepositoriesCommand({ repositoryNames: [name] }))).repositories?.[0];

beforeAll(async () => {
  env = await startEnvironment({ clusterName: 'e2e' });
});

afterAll(async () => {
  await env?.stop();
});

describe('ECRRepository through kubectl', () => {
  test('the original operator\'s manifest applies unchanged and creates the repository, tagged', async () => {
    expect(await env.kubectl.ok(['apply', '--validate=strict', '-f', ORIGINAL])).toContain('ecrrepository.service-operator.aws/example-repository-name created');
    const repository = await describe_(REPOSITORY);
    expect(repository?.imageTagMutability).toBe('MUTABLE');
    const tags = (await ecr().send(new ListTagsForResourceCommand({ resourceArn: repository?.repositoryArn }))).tags ?? [];
    expect(tags).toContainEqual({ Key: 'service-operator.aws/cluster', Value: 'e2e' });
    expect(await env.kubectl.ok(['apply', '-f', ORIGINAL])).toContain('unchanged');
  });

  test('get, -o yaml and -o wide show the repository and the original operator\'s outputs', async () => {
    const repository = await describe_(REPOSITORY);
    expect(await env.kubectl.ok(['get', 'ecr'])).toMatch(new RegExp(`example-repository-name\\s+${REPOSITORY}\\s+${repository?.repositoryUri}`));
    const object = await env.kubectl.json<{ output: Record<string, string>; status: { registryId: string } }>(['get', 'repository', 'example-repository-name']);
    expect(object.output).toEqual({ repositoryName: REPOSITORY, repositoryARN: repository?.repositoryArn, repositoryURL: repository?.repositoryUri });
    expect(object.status.registryId).toBe(repository?.registryId);
    expect(await env.kubectl.ok(['get', 'ecrrepository', 'example-repository-name', '-o', 'yaml'])).toContain('scanOnPush: false');
    expect(await env.kubectl.ok(['get', 'ecr', '-o', 'wide'])).toMatch(/TAGS\s+SCAN\s+ARN[\s\S]*MUTABLE\s+false\s+arn:aws:ecr:/);
  });

  test('apply a change: tag immutability, scan on push and a lifecycle policy reach ECR', async () => {
    const lifecycle = '  lifecyclePolicy:\n    rules:\n    - rulePriority: 1\n      selection: {tagStatus: untagged, countType: sinceImagePushed, countUnit: days, countNumber: 14}\n      action: {type: expire}\n';
    const changed = manifests.object('ECRRepository', 'example-repository-name', `  imageTagMutability: IMMUTABLE\n  scanOnPush: true\n${lifecycle}`);
    expect(await env.kubectl.ok(['apply', '-f', changed])).toContain('configured');
    const repository = await describe_(REPOSITORY);
    expect(repository?.imageTagMutability).toBe('IMMUTABLE');
    expect(repository?.imageScanningConfiguration?.scanOnPush).toBe(true);
    const policy = await ecr().send(new GetLifecyclePolicyCommand({ repositoryName: REPOSITORY }));
    expect((JSON.parse(policy.lifecyclePolicyText as string) as { rules: { selection: { countNumber: number } }[] }).rules[0].selection.countNumber).toBe(14);
    expect(await env.kubectl.ok(['apply', '-f', changed])).toContain('unchanged');
  });

  test('an out-of-band change in ECR shows on the next get', async () => {
    await ecr().send(new PutImageTagMutabilityCommand({ repositoryName: REPOSITORY, imageTagMutability: 'MUTABLE' }));
    expect(await env.kubectl.ok(['get', 'ecr', 'example-repository-name', '-o', 'jsonpath={.spec.imageTagMutability}'])).toBe('MUTABLE');
  });

  test('bad inputs are 4xx and create nothing in ECR', async () => {
    await expectUnchanged(() => repositoryNames(env.aws), async () => {
      const upper = expectFailure(await env.kubectl.run(['apply', '-f', manifests.object('ECRRepository', 'bad-name', '  repositoryName: Has-Upper\n')]));
      expect(upper).toContain('spec.repositoryName: Invalid value: "Has-Upper"');
      const doubled = expectFailure(await env.kubectl.run(['apply', '-f', manifests.object('ECRRepository', 'bad-sep', '  repositoryName: a--b\n')]));
      expect(doubled).toContain('spec.repositoryName');
      const kms = expectFailure(await env.kubectl.run(['apply', '-f', manifests.object('ECRRepository', 'bad-kms', '  encryption: {type: AES256, kmsKey: k}\n')]));
      expect(kms).toContain('spec.encryption.kmsKey: Forbidden');
    });
    const immutable = expectFailure(await env.kubectl.run(['apply', '-f', manifests.object('ECRRepository', 'example-repository-name', '  encryption: {type: KMS}\n')]));
    expect(immutable).toContain('spec.encryption: Invalid value');
    expect(immutable).toContain('field is immutable');
  });

  test('a repository holding images is not deleted (409) unless the object asks for force', async () => {
    await ecr().send(new PutImageCommand({ repositoryName: REPOSITORY, imageTag: 'v1', imageManifest: JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.docker.distribution.manifest.v2+json', config: { digest: 'sha256:' + 'a'.repeat(64), size: 1, mediaType: 'application/vnd.docker.container.image.v1+json' }, layers: [] }) }));
    const refused = expectFailure(await env.kubectl.run(['delete', 'ecr', 'example-repository-name']));
    expect(refused).toContain('the repository still holds images');
    expect(refused).toContain('service-operator.aws/force-delete');
    expect(await describe_(REPOSITORY)).toBeDefined();
    await env.kubectl.ok(['annotate', 'ecr', 'example-repository-name', 'service-operator.aws/force-delete=true']);
    expect(await env.kubectl.ok(['delete', '-f', ORIGINAL])).toContain('deleted');
    expect(await repositoryNames(env.aws)).not.toContain(REPOSITORY);
    expect(expectFailure(await env.kubectl.run(['get', 'ecr', 'example-repository-name']))).toContain('not found');
  });

  test('the retain deletion policy keeps the repository and drops only the ownership tags', async () => {
    await env.kubectl.ok(['apply', '-f', manifests.object('ECRRepository', 'kept', '  repositoryName: kept-images\n', '  annotations: {service-operator.aws/deletion-policy: retain}\n')]);
    await env.kubectl.ok(['delete', 'ecr', 'kept']);
    const repository = await describe_('kept-images');
    const tags = (await ecr().send(new ListTagsForResourceCommand({ resourceArn: repository?.repositoryArn }))).tags ?? [];
    // Only the mark that lets this namespace, and no other, adopt it again (docs/security.md).
    expect(tags.filter((t) => t.Key?.startsWith('service-operator.aws/'))).toEqual([{ Key: 'service-operator.aws/retained', Value: 'e2e/default/kept' }]);
  });

  test('a physical name taken by a repository this server does not manage is 409, and it is left alone', async () => {
    const result = expectFailure(await env.kubectl.run(['apply', '-f', manifests.object('ECRRepository', 'adopter', '  repositoryName: kept-images\n')]));
    expect(result).toContain('already exists');
    expect(result).toContain('not managed by this server');
  });
});
