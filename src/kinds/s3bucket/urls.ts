// A bucket's names and addresses: ARN, REST host name, website URL.
import { partitionOf } from '../../aws/arn.js';

/** Regions whose website endpoints still use the old `s3-website-<region>` form. */
const DASH_WEBSITE_REGIONS = ['us-east-1', 'us-west-1', 'us-west-2', 'ap-southeast-1', 'ap-southeast-2', 'ap-northeast-1', 'eu-west-1', 'sa-east-1', 'us-gov-west-1'];

export function bucketArn(name: string, region: string): string {
  return `arn:${partitionOf(region)}:s3:::${name}`;
}

export function bucketHost(name: string, region: string): string {
  return `${name}.s3.${region}.amazonaws.com`;
}

export function websiteUrl(name: string, region: string): string {
  const separator = DASH_WEBSITE_REGIONS.includes(region) ? '-' : '.';
  return `http://${name}.s3-website${separator}${region}.amazonaws.com`;
}

/** GetBucketLocation's answer as a region: empty means us-east-1, "EU" is eu-west-1's old name. */
export function regionOfLocation(location: string | undefined): string {
  if (!location) return 'us-east-1';
  return location === 'EU' ? 'eu-west-1' : location;
}
