import { CfnWebACL, CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';

/** Props of {@link StageWaf}. */
export interface StageWafProps {
  /** ARN of the API Gateway stage to protect. */
  readonly stageArn: string;
}

/**
 * Rules of the AWS managed rule groups that inspect the request body. Every prompt is a body, and
 * ordinary prompts contain what these rules look for: code with `<script>`, paths with `../`,
 * `${jndi:` in a log excerpt, `169.254.169.254` in a question about EC2, or simply more than 8 KB.
 * They count (visible in the WAF metrics and sampled requests) instead of blocking.
 */
const COUNTED_BODY_RULES = {
  AWSManagedRulesCommonRuleSet: ['SizeRestrictions_BODY', 'CrossSiteScripting_BODY', 'GenericLFI_BODY', 'GenericRFI_BODY', 'EC2MetaDataSSRF_BODY'],
  AWSManagedRulesKnownBadInputsRuleSet: ['JavaDeserializationRCE_BODY', 'Log4JRCE_BODY'],
} as const;

/**
 * `Content-Length` values of 6,000,000 bytes and more. A Lambda invocation carries at most
 * 6,291,456 bytes of event, so such a body would fail the invocation (API Gateway's 502); WAF
 * answers it with the gateway's documented 413 instead, before anything is invoked.
 */
const OVERSIZED_CONTENT_LENGTH = '^(?:[6-9][0-9]{6}|[1-9][0-9]{7,})$';

/** The 413 body WAF answers oversized requests with: the OpenAI error envelope. */
const OVERSIZED_BODY = JSON.stringify({
  error: {
    message: 'The request body exceeds what the gateway accepts on AWS (a Lambda invocation carries at most 6 MB).',
    type: 'invalid_request_error',
    param: null,
    code: 'request_too_large',
  },
});

/**
 * A regional AWS WAF web ACL on the API stage: first a rule that answers a body of 6 MB or more
 * with the documented 413 (by its `Content-Length`), then the AWS managed common and
 * known-bad-inputs rule sets, whose rules on URI, query string, headers and cookies block and
 * whose body rules only count ({@link COUNTED_BODY_RULES}), or prompts would be blocked.
 */
export class StageWaf extends Construct {
  /** The web ACL. */
  readonly webAcl: CfnWebACL;

  constructor(scope: Construct, id: string, props: StageWafProps) {
    super(scope, id);
    const visibility = (metricName: string): CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName,
    });
    const managed = (priority: number, name: keyof typeof COUNTED_BODY_RULES): CfnWebACL.RuleProperty => ({
      name,
      priority,
      overrideAction: { none: {} },
      statement: {
        managedRuleGroupStatement: {
          vendorName: 'AWS',
          name,
          ruleActionOverrides: COUNTED_BODY_RULES[name].map((rule) => ({ name: rule, actionToUse: { count: {} } })),
        },
      },
      visibilityConfig: visibility(name),
    });
    const oversized: CfnWebACL.RuleProperty = {
      name: 'OversizedBody',
      priority: 0,
      action: { block: { customResponse: { responseCode: 413, customResponseBodyKey: 'request_too_large' } } },
      statement: {
        regexMatchStatement: {
          fieldToMatch: { singleHeader: { Name: 'content-length' } },
          regexString: OVERSIZED_CONTENT_LENGTH,
          textTransformations: [{ priority: 0, type: 'NONE' }],
        },
      },
      visibilityConfig: visibility('OversizedBody'),
    };
    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility('SwitchyardWebAcl'),
      customResponseBodies: { request_too_large: { contentType: 'APPLICATION_JSON', content: OVERSIZED_BODY } },
      rules: [oversized, managed(1, 'AWSManagedRulesCommonRuleSet'), managed(2, 'AWSManagedRulesKnownBadInputsRuleSet')],
    });
    new CfnWebACLAssociation(this, 'Association', { resourceArn: props.stageArn, webAclArn: this.webAcl.attrArn });
  }
}
