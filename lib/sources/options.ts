/** The options that name a topology source (DESIGN.md section 4), shared by the CLI and `loadTopology`. */
export interface TopologySourceOptions {
  /** `--scenario FILE`: a scenario file, JSON or YAML. */
  scenario?: string;
  /** `--template FILE` (repeatable): CloudFormation templates, read together. */
  template?: string[];
  /** `--aws-dump DIR`: a folder of `aws ec2 describe-*` JSON outputs. */
  awsDump?: string;
  /** `--aws`: read the topology live from an AWS account. */
  aws?: boolean;
  /** `--region`: the AWS region (with --aws, --aws-dump, --template). */
  region?: string;
  /** `--profile`: a named AWS profile (with --aws). */
  profile?: string;
  /** `--vpc`: only this VPC (with --aws or --aws-dump). */
  vpc?: string;
  /** `--parameter Key=Value` (repeatable): template parameter values, as `aws cloudformation deploy --parameter-overrides` takes them. */
  parameter?: string[];
  /** `--parameters FILE`: template parameter values, the JSON `aws cloudformation create-stack --parameters` takes. */
  parameters?: string;
  /** Receives notes on what a source normalised as AWS does (host bits masked in a rule CIDR); the CLI prints them on stderr. */
  note?: (message: string) => void;
}
