# A torchvision model with seeded random weights and non-trivial batch-norm statistics, in eval
# mode: what the twin and export scripts build, so their weights are drawn the same way.
import torch
import torchvision


# Cadene's pretrainedmodels ports that torchvision's ResNet class builds exactly (same layers,
# same order): (blocks per stage, groups, width per group).
RESNET_CLASS = {
    'resnext101_32x4d': ([3, 4, 23, 3], 32, 4),
    'resnext101_64x4d': ([3, 4, 23, 3], 64, 4),
}


class _Separable(torch.nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(cin, cin, 3, 1, 1, groups=cin, bias=False)
        self.pointwise = torch.nn.Conv2d(cin, cout, 1, bias=False)

    def forward(self, x):
        return self.pointwise(self.conv1(x))


class _XceptionBlock(torch.nn.Module):
    # the layout of Cadene's pretrainedmodels Block (so its state-dict names): rep is
    # [ReLU, separable, BN] per separable conv, the first ReLU dropped when the block does not
    # start with one (the others in place), then a 3x3 max pool for a strided block
    def __init__(self, cin, cout, reps, stride, start_with_relu, grow_first):
        super().__init__()
        if cout != cin or stride != 1:
            self.skip = torch.nn.Conv2d(cin, cout, 1, stride=stride, bias=False)
            self.skipbn = torch.nn.BatchNorm2d(cout)
        else:
            self.skip = None
        rep, filters = [], cin
        if grow_first:
            rep += [torch.nn.ReLU(inplace=True), _Separable(cin, cout), torch.nn.BatchNorm2d(cout)]
            filters = cout
        for _ in range(reps - 1):
            rep += [torch.nn.ReLU(inplace=True), _Separable(filters, filters), torch.nn.BatchNorm2d(filters)]
        if not grow_first:
            rep += [torch.nn.ReLU(inplace=True), _Separable(cin, cout), torch.nn.BatchNorm2d(cout)]
        if not start_with_relu:
            rep = rep[1:]
        else:
            rep[0] = torch.nn.ReLU(inplace=False)
        if stride != 1:
            rep.append(torch.nn.MaxPool2d(3, stride, 1))
        self.rep = torch.nn.Sequential(*rep)

    def forward(self, x):
        y = self.rep(x)
        return y + (self.skipbn(self.skip(x)) if self.skip is not None else x)


class Xception(torch.nn.Module):
    # Cadene's pretrainedmodels xception (Chollet 2017), what Bianco et al. 2018 measured
    def __init__(self, num_classes=1000):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(3, 32, 3, 2, 0, bias=False)
        self.bn1 = torch.nn.BatchNorm2d(32)
        self.conv2 = torch.nn.Conv2d(32, 64, 3, bias=False)
        self.bn2 = torch.nn.BatchNorm2d(64)
        cfg = [(64, 128, 2, 2, False, True), (128, 256, 2, 2, True, True), (256, 728, 2, 2, True, True)]
        cfg += [(728, 728, 3, 1, True, True)] * 8 + [(728, 1024, 2, 2, True, False)]
        for i, c in enumerate(cfg):
            setattr(self, f'block{i + 1}', _XceptionBlock(*c))
        self.blocks = len(cfg)
        self.conv3 = _Separable(1024, 1536)
        self.bn3 = torch.nn.BatchNorm2d(1536)
        self.conv4 = _Separable(1536, 2048)
        self.bn4 = torch.nn.BatchNorm2d(2048)
        self.last_linear = torch.nn.Linear(2048, num_classes)

    def forward(self, x):
        relu = torch.nn.functional.relu
        x = relu(self.bn1(self.conv1(x)))
        x = relu(self.bn2(self.conv2(x)))
        for i in range(self.blocks):
            x = getattr(self, f'block{i + 1}')(x)
        x = relu(self.bn3(self.conv3(x)))
        x = relu(self.bn4(self.conv4(x)))
        x = torch.nn.functional.adaptive_avg_pool2d(x, 1).flatten(1)
        return self.last_linear(x)


class _SEModule(torch.nn.Module):
    def __init__(self, channels, reduction=16):
        super().__init__()
        self.fc1 = torch.nn.Conv2d(channels, channels // reduction, 1)
        self.fc2 = torch.nn.Conv2d(channels // reduction, channels, 1)

    def forward(self, x):
        s = torch.nn.functional.adaptive_avg_pool2d(x, 1)
        return x * torch.sigmoid(self.fc2(torch.relu(self.fc1(s))))


class _SEBottleneck(torch.nn.Module):
    # Cadene's SEResNetBottleneck (groups 1: stride on conv1), SEResNeXtBottleneck (stride on
    # conv2) and senet154's SEBottleneck (2x planes, then 4x planes grouped, stride on conv2)
    def __init__(self, inplanes, planes, groups, stride, downsample, senet154=False):
        super().__init__()
        w1 = w2 = planes if groups == 1 else (planes * 4 // 64) * groups
        if senet154:
            w1, w2 = planes * 2, planes * 4
        s1, s2 = (stride, 1) if groups == 1 else (1, stride)
        self.conv1 = torch.nn.Conv2d(inplanes, w1, 1, stride=s1, bias=False)
        self.bn1 = torch.nn.BatchNorm2d(w1)
        self.conv2 = torch.nn.Conv2d(w1, w2, 3, stride=s2, padding=1, groups=groups, bias=False)
        self.bn2 = torch.nn.BatchNorm2d(w2)
        self.conv3 = torch.nn.Conv2d(w2, planes * 4, 1, bias=False)
        self.bn3 = torch.nn.BatchNorm2d(planes * 4)
        self.se_module = _SEModule(planes * 4)
        self.downsample = downsample

    def forward(self, x):
        y = torch.relu(self.bn1(self.conv1(x)))
        y = torch.relu(self.bn2(self.conv2(y)))
        y = self.se_module(self.bn3(self.conv3(y)))
        return torch.relu(y + (self.downsample(x) if self.downsample is not None else x))


class SENet(torch.nn.Module):
    # Cadene's pretrainedmodels SENet as its se_resnet* / se_resnext*_32x4d / senet154 build it
    def __init__(self, layers, groups, num_classes=1000, senet154=False):
        super().__init__()
        self.layer0 = torch.nn.Sequential()
        stem = [(3, 64, 3, 2), (64, 64, 3, 1), (64, 128, 3, 1)] if senet154 else [(3, 64, 7, 2)]
        for i, (cin, cout, k, st) in enumerate(stem):
            self.layer0.add_module(f'conv{i + 1}', torch.nn.Conv2d(cin, cout, k, stride=st, padding=k // 2, bias=False))
            self.layer0.add_module(f'bn{i + 1}', torch.nn.BatchNorm2d(cout))
            self.layer0.add_module(f'relu{i + 1}', torch.nn.ReLU(inplace=True))
        self.layer0.add_module('pool', torch.nn.MaxPool2d(3, stride=2, ceil_mode=True))
        inplanes = stem[-1][1]
        for s, blocks in enumerate(layers):
            planes, mods = 64 * 2 ** s, []
            for i in range(blocks):
                stride = 2 if i == 0 and s > 0 else 1
                down = None
                if i == 0 and (stride != 1 or inplanes != planes * 4):
                    k = 3 if senet154 and s > 0 else 1
                    down = torch.nn.Sequential(torch.nn.Conv2d(inplanes, planes * 4, k, stride=stride, padding=k // 2, bias=False), torch.nn.BatchNorm2d(planes * 4))
                mods.append(_SEBottleneck(inplanes, planes, groups, stride, down, senet154))
                inplanes = planes * 4
            setattr(self, f'layer{s + 1}', torch.nn.Sequential(*mods))
        self.last_linear = torch.nn.Linear(2048, num_classes)

    def forward(self, x):
        x = self.layer4(self.layer3(self.layer2(self.layer1(self.layer0(x)))))
        x = torch.nn.functional.adaptive_avg_pool2d(x, 1).flatten(1)
        return self.last_linear(x)


SENETS = {
    'se_resnet50': ([3, 4, 6, 3], 1), 'se_resnet101': ([3, 4, 23, 3], 1), 'se_resnet152': ([3, 8, 36, 3], 1),
    'se_resnext50_32x4d': ([3, 4, 6, 3], 32), 'se_resnext101_32x4d': ([3, 4, 23, 3], 32),
    'senet154': ([3, 8, 36, 3], 64, 1000, True),
}


class _CadeneBottleneck(torch.nn.Module):
    # cafferesnet.py (stride on conv1, no biases) and fbresnet.py (stride on conv2, biases)
    def __init__(self, inplanes, planes, stride, stride_first, bias):
        super().__init__()
        s1, s2 = (stride, 1) if stride_first else (1, stride)
        self.conv1 = torch.nn.Conv2d(inplanes, planes, 1, stride=s1, bias=bias)
        self.bn1 = torch.nn.BatchNorm2d(planes)
        self.conv2 = torch.nn.Conv2d(planes, planes, 3, stride=s2, padding=1, bias=bias)
        self.bn2 = torch.nn.BatchNorm2d(planes)
        self.conv3 = torch.nn.Conv2d(planes, planes * 4, 1, bias=bias)
        self.bn3 = torch.nn.BatchNorm2d(planes * 4)
        self.downsample = None
        if stride != 1 or inplanes != planes * 4:
            self.downsample = torch.nn.Sequential(torch.nn.Conv2d(inplanes, planes * 4, 1, stride=stride, bias=bias), torch.nn.BatchNorm2d(planes * 4))

    def forward(self, x):
        y = torch.relu(self.bn1(self.conv1(x)))
        y = torch.relu(self.bn2(self.conv2(y)))
        y = self.bn3(self.conv3(y))
        return torch.relu(y + (self.downsample(x) if self.downsample is not None else x))


class CadeneResNet(torch.nn.Module):
    # Cadene's cafferesnet101 / fbresnet152
    def __init__(self, layers, caffe, num_classes=1000):
        super().__init__()
        bias = not caffe
        self.conv1 = torch.nn.Conv2d(3, 64, 7, stride=2, padding=3, bias=bias)
        self.bn1 = torch.nn.BatchNorm2d(64)
        self.maxpool = torch.nn.MaxPool2d(3, 2, 0, ceil_mode=True) if caffe else torch.nn.MaxPool2d(3, 2, 1)
        inplanes = 64
        for s, blocks in enumerate(layers):
            planes, mods = 64 * 2 ** s, []
            for i in range(blocks):
                mods.append(_CadeneBottleneck(inplanes, planes, 2 if i == 0 and s > 0 else 1, caffe, bias))
                inplanes = planes * 4
            setattr(self, f'layer{s + 1}', torch.nn.Sequential(*mods))
        self.last_linear = torch.nn.Linear(2048, num_classes)

    def forward(self, x):
        x = self.maxpool(torch.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.last_linear(torch.nn.functional.adaptive_avg_pool2d(x, 1).flatten(1))


class BvlcGoogLeNet(torch.nn.Module):
    # the MMdnn port of Caffe's bvlc_googlenet in Bianco et al.'s models-comparison code (its
    # attribute names), LRN as torch's LocalResponseNorm (the same formula)
    INCEPTIONS = [('3a', 192, 64, 96, 128, 16, 32, 32), ('3b', 256, 128, 128, 192, 32, 96, 64),
                  ('4a', 480, 192, 96, 208, 16, 48, 64), ('4b', 512, 160, 112, 224, 24, 64, 64),
                  ('4c', 512, 128, 128, 256, 24, 64, 64), ('4d', 512, 112, 144, 288, 32, 64, 64),
                  ('4e', 528, 256, 160, 320, 32, 128, 128), ('5a', 832, 256, 160, 320, 32, 128, 128),
                  ('5b', 832, 384, 192, 384, 48, 128, 128)]

    def __init__(self, num_classes=1000):
        super().__init__()
        C = torch.nn.Conv2d
        self.conv1_7x7_s2 = C(3, 64, 7, 2, 3)
        self.conv2_3x3_reduce = C(64, 64, 1)
        self.conv2_3x3 = C(64, 192, 3, 1, 1)
        for n, cin, c1, c3r, c3, c5r, c5, proj in self.INCEPTIONS:
            p = f'inception_{n}_'
            setattr(self, p + '1x1', C(cin, c1, 1))
            setattr(self, p + '3x3_reduce', C(cin, c3r, 1))
            setattr(self, p + '3x3', C(c3r, c3, 3, 1, 1))
            setattr(self, p + '5x5_reduce', C(cin, c5r, 1))
            setattr(self, p + '5x5', C(c5r, c5, 5, 1, 2))
            setattr(self, p + 'pool_proj', C(cin, proj, 1))
        self.loss3_classifier_1 = torch.nn.Linear(1024, num_classes)

    def forward(self, x):
        F, relu = torch.nn.functional, torch.relu
        lrn = torch.nn.LocalResponseNorm(5, 1e-4, 0.75, 1.0)
        pool = lambda y: F.max_pool2d(y, 3, 2, ceil_mode=True)
        x = lrn(pool(relu(self.conv1_7x7_s2(x))))
        x = pool(lrn(relu(self.conv2_3x3(relu(self.conv2_3x3_reduce(x))))))
        for n, *_ in self.INCEPTIONS:
            if n in ('4a', '5a'):
                x = pool(x)
            m = lambda k: getattr(self, f'inception_{n}_{k}')
            b1 = relu(m('1x1')(x))
            b2 = relu(m('3x3')(relu(m('3x3_reduce')(x))))
            b3 = relu(m('5x5')(relu(m('5x5_reduce')(x))))
            b4 = relu(m('pool_proj')(F.max_pool2d(x, 3, 1, 1)))
            x = torch.cat((b1, b2, b3, b4), 1)
        return self.loss3_classifier_1(F.adaptive_avg_pool2d(x, 1).flatten(1))


class _BasicConv2d(torch.nn.Module):
    # Cadene's BasicConv2d of inceptionresnetv2: conv (no bias), BN eps 0.001, ReLU
    def __init__(self, cin, cout, k, s=1, p=0):
        super().__init__()
        self.conv = torch.nn.Conv2d(cin, cout, k, s, p, bias=False)
        self.bn = torch.nn.BatchNorm2d(cout, eps=0.001)

    def forward(self, x):
        return torch.relu(self.bn(self.conv(x)))


def _seq(*rows):
    return torch.nn.Sequential(*[_BasicConv2d(*r) for r in rows])


class _Branches(torch.nn.Module):
    # branch0..n concatenated along channels
    def __init__(self, *branches):
        super().__init__()
        for i, m in enumerate(branches):
            setattr(self, f'branch{i}', m)
        self.n = len(branches)

    def forward(self, x):
        return torch.cat([getattr(self, f'branch{i}')(x) for i in range(self.n)], 1)


class _Residual(_Branches):
    # Block35 / Block17 / Block8: relu(conv2d(cat(branches)) * scale + x)
    def __init__(self, branches, cin, scale, relu=True):
        super().__init__(*branches)
        self.conv2d = torch.nn.Conv2d(sum(m[-1].conv.out_channels if isinstance(m, torch.nn.Sequential) else m.conv.out_channels for m in branches), cin, 1)
        self.scale, self.relu = scale, relu

    def forward(self, x):
        y = self.conv2d(super().forward(x)) * self.scale + x
        return torch.relu(y) if self.relu else y


def _block35(scale):
    return _Residual([_BasicConv2d(320, 32, 1), _seq((320, 32, 1), (32, 32, 3, 1, 1)),
                      _seq((320, 32, 1), (32, 48, 3, 1, 1), (48, 64, 3, 1, 1))], 320, scale)


def _block17(scale):
    return _Residual([_BasicConv2d(1088, 192, 1), _seq((1088, 128, 1), (128, 160, (1, 7), 1, (0, 3)), (160, 192, (7, 1), 1, (3, 0)))], 1088, scale)


def _block8(scale, relu=True):
    return _Residual([_BasicConv2d(2080, 192, 1), _seq((2080, 192, 1), (192, 224, (1, 3), 1, (0, 1)), (224, 256, (3, 1), 1, (1, 0)))], 2080, scale, relu)


class InceptionResNetV2(torch.nn.Module):
    # Cadene's pretrainedmodels inceptionresnetv2 (its module names), 1000 classes
    def __init__(self, num_classes=1000):
        super().__init__()
        self.conv2d_1a = _BasicConv2d(3, 32, 3, 2)
        self.conv2d_2a = _BasicConv2d(32, 32, 3)
        self.conv2d_2b = _BasicConv2d(32, 64, 3, 1, 1)
        self.conv2d_3b = _BasicConv2d(64, 80, 1)
        self.conv2d_4a = _BasicConv2d(80, 192, 3)
        self.mixed_5b = _Branches(_BasicConv2d(192, 96, 1), _seq((192, 48, 1), (48, 64, 5, 1, 2)),
                                  _seq((192, 64, 1), (64, 96, 3, 1, 1), (96, 96, 3, 1, 1)),
                                  torch.nn.Sequential(torch.nn.AvgPool2d(3, 1, 1, count_include_pad=False), _BasicConv2d(192, 64, 1)))
        self.repeat = torch.nn.Sequential(*[_block35(0.17) for _ in range(10)])
        self.mixed_6a = _Branches(_BasicConv2d(320, 384, 3, 2), _seq((320, 256, 1), (256, 256, 3, 1, 1), (256, 384, 3, 2)), torch.nn.MaxPool2d(3, 2))
        self.repeat_1 = torch.nn.Sequential(*[_block17(0.10) for _ in range(20)])
        self.mixed_7a = _Branches(_seq((1088, 256, 1), (256, 384, 3, 2)), _seq((1088, 256, 1), (256, 288, 3, 2)),
                                  _seq((1088, 256, 1), (256, 288, 3, 1, 1), (288, 320, 3, 2)), torch.nn.MaxPool2d(3, 2))
        self.repeat_2 = torch.nn.Sequential(*[_block8(0.20) for _ in range(9)])
        self.block8 = _block8(1.0, relu=False)
        self.conv2d_7b = _BasicConv2d(2080, 1536, 1)
        self.last_linear = torch.nn.Linear(1536, num_classes)

    def forward(self, x):
        F = torch.nn.functional
        x = F.max_pool2d(self.conv2d_2b(self.conv2d_2a(self.conv2d_1a(x))), 3, 2)
        x = F.max_pool2d(self.conv2d_4a(self.conv2d_3b(x)), 3, 2)
        x = self.repeat_2(self.mixed_7a(self.repeat_1(self.mixed_6a(self.repeat(self.mixed_5b(x))))))
        x = self.conv2d_7b(self.block8(x))
        return self.last_linear(F.adaptive_avg_pool2d(x, 1).flatten(1))


class _ShuffleUnit(torch.nn.Module):
    # the ShuffleUnit of the ShuffleNet-1g8 port in Bianco et al.'s code (its module names)
    def __init__(self, cin, out, groups, first_groups, concat):
        super().__init__()
        from collections import OrderedDict
        bottleneck = out // 4
        branch_out = out - cin if concat else out
        self.groups, self.concat = groups, concat
        self.g_conv_1x1_compress = torch.nn.Sequential(OrderedDict([
            ('conv1x1', torch.nn.Conv2d(cin, bottleneck, 1, groups=first_groups)),
            ('batch_norm', torch.nn.BatchNorm2d(bottleneck)), ('relu', torch.nn.ReLU())]))
        self.depthwise_conv3x3 = torch.nn.Conv2d(bottleneck, bottleneck, 3, 2 if concat else 1, 1, groups=bottleneck)
        self.bn_after_depthwise = torch.nn.BatchNorm2d(bottleneck)
        self.g_conv_1x1_expand = torch.nn.Sequential(OrderedDict([
            ('conv1x1', torch.nn.Conv2d(bottleneck, branch_out, 1, groups=groups)), ('batch_norm', torch.nn.BatchNorm2d(branch_out))]))

    def forward(self, x):
        y = self.g_conv_1x1_compress(x)
        n, c, h, w = y.shape
        y = y.view(n, self.groups, c // self.groups, h, w).transpose(1, 2).contiguous().view(n, c, h, w)
        y = self.g_conv_1x1_expand(self.bn_after_depthwise(self.depthwise_conv3x3(y)))
        if self.concat:
            return torch.relu(torch.cat((torch.nn.functional.avg_pool2d(x, 3, 2, 1), y), 1))
        return torch.relu(x + y)


class ShuffleNet(torch.nn.Module):
    # ShuffleNet v1 1x g=8 as that port builds it, ending in the fc's logits
    def __init__(self, groups=8, num_classes=1000):
        super().__init__()
        from collections import OrderedDict
        ch = {8: [24, 384, 768, 1536]}[groups]
        self.conv1 = torch.nn.Conv2d(3, ch[0], 3, 2, 1)
        for stage, repeats in zip((2, 3, 4), (3, 7, 3)):
            mods = OrderedDict()
            mods[f'ShuffleUnit_Stage{stage}_0'] = _ShuffleUnit(ch[stage - 2], ch[stage - 1], groups, 1 if stage == 2 else groups, True)
            for j in range(1, repeats + 1):
                mods[f'ShuffleUnit_Stage{stage}_{j}'] = _ShuffleUnit(ch[stage - 1], ch[stage - 1], groups, groups, False)
            setattr(self, f'stage{stage}', torch.nn.Sequential(mods))
        self.fc = torch.nn.Linear(ch[3], num_classes)

    def forward(self, x):
        x = torch.nn.functional.max_pool2d(self.conv1(x), 3, 2, 1)
        x = self.stage4(self.stage3(self.stage2(x)))
        return self.fc(torch.nn.functional.adaptive_avg_pool2d(x, 1).flatten(1))


class _BnActConv(torch.nn.Module):
    # Cadene / rwightman dpn.py BnActConv2d: BN (eps 0.001), ReLU, conv without bias
    def __init__(self, cin, cout, k, s=1, p=0, groups=1):
        super().__init__()
        self.bn = torch.nn.BatchNorm2d(cin, eps=0.001)
        self.conv = torch.nn.Conv2d(cin, cout, k, s, p, groups=groups, bias=False)

    def forward(self, x):
        return self.conv(torch.relu(self.bn(x)))


class _DualPathBlock(torch.nn.Module):
    # dpn.py DualPathBlock (b=False) on the (residual, dense) pair
    def __init__(self, cin, r, bw, inc, groups, kind):
        super().__init__()
        self.bw, self.kind = bw, kind
        stride = 2 if kind == 'down' else 1
        if kind != 'normal':
            setattr(self, f'c1x1_w_s{stride}', _BnActConv(cin, bw + 2 * inc, 1, stride))
        self.c1x1_a = _BnActConv(cin, r, 1)
        self.c3x3_b = _BnActConv(r, r, 3, stride, 1, groups)
        self.c1x1_c = _BnActConv(r, bw + inc, 1)

    def forward(self, x):
        x_in = torch.cat(x, 1) if isinstance(x, tuple) else x
        if self.kind == 'normal':
            s1, s2 = x
        else:
            xs = getattr(self, f'c1x1_w_s{2 if self.kind == "down" else 1}')(x_in)
            s1, s2 = xs[:, :self.bw], xs[:, self.bw:]
        y = self.c1x1_c(self.c3x3_b(self.c1x1_a(x_in)))
        return s1 + y[:, :self.bw], torch.cat([s2, y[:, self.bw:]], 1)


class DPN(torch.nn.Module):
    # dpn.py DPN (its module names), head = global average pool + the 1x1 classifier
    def __init__(self, small, init, k_r, groups, k_sec, inc_sec, num_classes=1000):
        super().__init__()
        from collections import OrderedDict
        blocks = OrderedDict()
        k = 3 if small else 7
        stem = torch.nn.Module()
        stem.conv = torch.nn.Conv2d(3, init, k, 2, k // 2, bias=False)
        stem.bn = torch.nn.BatchNorm2d(init, eps=0.001)
        blocks['conv1_1'] = stem
        f = 1 if small else 4
        cin = init
        for s in range(4):
            bw, inc = (64 << s) * f, inc_sec[s]
            r = (k_r * bw) // (64 * f)
            for i in range(1, k_sec[s] + 1):
                kind = 'normal' if i > 1 else ('proj' if s == 0 else 'down')
                blocks[f'conv{s + 2}_{i}'] = _DualPathBlock(cin, r, bw, inc, groups, kind)
                cin = bw + 3 * inc if i == 1 else cin + inc
        head = torch.nn.Module()
        head.bn = torch.nn.BatchNorm2d(cin, eps=0.001)
        blocks['conv5_bn_ac'] = head
        self.features = torch.nn.Sequential(blocks)
        self.classifier = torch.nn.Conv2d(cin, num_classes, 1)

    def forward(self, x):
        f = self.features
        x = torch.nn.functional.max_pool2d(torch.relu(f.conv1_1.bn(f.conv1_1.conv(x))), 3, 2, 1)
        for name, m in f.named_children():
            if name.startswith('conv') and name not in ('conv1_1', 'conv5_bn_ac'):
                x = m(x)
        x = torch.relu(f.conv5_bn_ac.bn(torch.cat(x, 1)))
        return self.classifier(torch.nn.functional.adaptive_avg_pool2d(x, 1)).flatten(1)


DPNS = {
    'dpn68': (True, 10, 128, 32, (3, 4, 12, 3), (16, 32, 32, 64)),
    'dpn98': (False, 96, 160, 40, (3, 6, 20, 3), (16, 32, 32, 128)),
    'dpn131': (False, 128, 160, 40, (4, 8, 28, 3), (16, 32, 32, 128)),
}


def torchvision_model(name, seed):
    torch.manual_seed(seed)
    kwargs = {'weights': None}
    if name in ('googlenet', 'inception_v3'):
        kwargs.update(aux_logits=False, init_weights=True)
    if name == 'xception':
        model = Xception().eval()
    elif name in SENETS:
        model = SENet(*SENETS[name]).eval()
    elif name in ('cafferesnet101', 'fbresnet152'):
        model = CadeneResNet([3, 4, 23, 3] if name == 'cafferesnet101' else [3, 8, 36, 3], name == 'cafferesnet101').eval()
    elif name == 'bvlc_googlenet':
        model = BvlcGoogLeNet().eval()
    elif name in DPNS:
        model = DPN(*DPNS[name]).eval()
    elif name == 'shufflenet_g8':
        model = ShuffleNet(8).eval()
    elif name == 'inceptionresnetv2':
        model = InceptionResNetV2().eval()
    elif name in RESNET_CLASS:
        layers, groups, width = RESNET_CLASS[name]
        from torchvision.models.resnet import ResNet, Bottleneck
        model = ResNet(Bottleneck, layers, groups=groups, width_per_group=width).eval()
    else:
        model = getattr(torchvision.models, name)(**kwargs).eval()
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-0.1, 0.1)
                m.running_var.uniform_(0.5, 1.5)
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.1, 0.1)
    return model
